import type { ErrorTextCatalog } from './en';

/** Spanish wording of the errors a person meets; the same terms as es.ts (grupo, llavero, clave raíz…). */
export const esErrorText: ErrorTextCatalog = {
  IMAGE_NOT_FOUND: {
    message: 'No hay ningún archivo en {{path}}.',
    hint: 'Compruebe la ruta; puede que el archivo se haya movido o eliminado.',
  },
  IMAGE_NOT_A_FILE: {
    message: '{{path}} no es un archivo de imagen de disco.',
    hint: 'Elija el propio archivo de la imagen (por ejemplo disk.qcow2, disk.vhd o disk.raw), no una carpeta.',
  },
  IMAGE_EMPTY: {
    message: '{{path}} está vacío (0 bytes), así que no contiene ninguna imagen de disco.',
    hint: 'Probablemente la copia o la descarga falló; vuelva a obtener la imagen.',
  },
  IMAGE_UNREADABLE: {
    message: 'No se puede leer la imagen {{path}}.',
    hint: 'Compruebe que el usuario que ejecuta Image Sealer puede leer el archivo y que el disco que lo contiene está conectado.',
  },
  IMAGE_TRUNCATED: {
    message: 'La imagen {{path}} está incompleta: termina antes de los datos que anuncia su propia estructura.',
    hint: 'Probablemente la copia o la descarga se cortó; vuelva a obtener la imagen y compare su tamaño.',
  },
  IMAGE_CORRUPT: {
    message: 'La imagen {{path}} está dañada y no se puede leer de forma fiable.',
    hint: 'Compruebe la imagen con qemu-img check, o expórtela de nuevo desde su origen.',
  },
  IMAGE_UNSUPPORTED_FORMAT: {
    message: 'Image Sealer no puede leer el formato de {{path}}.',
    hint: 'Convierta la imagen a qcow2 o raw con qemu-img y elija el archivo convertido.',
  },
  IMAGE_BACKING_FILE: {
    message:
      'La imagen {{path}} depende de un archivo de respaldo: por sí sola solo contiene diferencias y no se puede sellar.',
    hint: 'Aplánela primero (por ejemplo qemu-img convert -O qcow2 image.qcow2 flat.qcow2) y elija el archivo aplanado.',
  },
  IMAGE_ALREADY_ENCRYPTED: {
    message: 'La imagen {{path}} ya está cifrada. Image Sealer necesita la imagen sin cifrar para sellarla.',
    hint: 'Elija la imagen original, sin cifrar. Una imagen sellada no se puede volver a sellar.',
  },
  IMAGE_BAD_MAGIC: {
    message: '{{path}} tiene nombre de imagen {{expected}}, pero no lleva la firma de {{expected}}.',
    hint: 'El archivo está dañado o mal nombrado. Si de verdad es un disco sin formato, cámbiele el nombre a .raw o .img; si no, vuelva a obtener la imagen.',
  },
  IMAGE_CHANGED: {
    message:
      'La imagen {{path}} cambió mientras se leía, así que no se puede confiar en nada de lo que se produjo a partir de ella.',
    hint: 'Asegúrese de que nada (una máquina virtual, una descarga, una copia) sigue escribiendo en la imagen y empiece de nuevo.',
  },
  IMAGE_NOT_ACCEPTED: {
    message: 'La imagen no cumple los requisitos del destino elegido.',
    hint: 'Los problemas se enumeran bajo la imagen; elija otro destino o vuelva a preparar la imagen.',
  },
  VHD_MALFORMED: {
    message: 'El archivo no es un VHD cifrado válido tal como lo escribe vhd-util.',
    hint: 'Compruebe que es el archivo sellado y que no se ha cortado ni modificado.',
  },
  VHD_NOT_ENCRYPTED: {
    message: 'Este VHD no está cifrado con el formato de vhd-util.',
    hint: 'Elija el archivo sellado .vhd-0.vhd del destino VHD clásico.',
  },
  VHD_WRONG_KEY: {
    message: 'Esta clave no abre el VHD: su resumen no coincide con el de la clave guardado en la imagen.',
    hint: 'Use la propia clave de cifrado de datos (DEK) de esta imagen; una clave de 64 bytes y una de 32 bytes no son intercambiables.',
  },
  VHD_TOO_LARGE: {
    message: 'El VHD cifrado superaría los 2 TiB que puede direccionar un VHD.',
    hint: 'Elija el destino VPC para discos tan grandes.',
  },

  SEAL_WRONG_KEY: {
    message: 'La clave no abre esta imagen sellada.',
    hint: 'Use la clave de cifrado de datos (DEK) con la que se selló la imagen y compruebe el destino.',
  },
  SEAL_VERIFY_MISMATCH: {
    message: 'La verificación ha fallado: la imagen sellada no se descifra en la imagen de origen.',
    hint: 'La imagen sellada no se ha conservado. Vuelva a sellar; si falla otra vez, compruebe el disco y la memoria de este equipo e infórmelo.',
  },
  SEAL_WRITE_FAILED: {
    message: 'No se ha podido escribir la imagen sellada.',
    hint: 'Compruebe el espacio libre y el estado del disco que contiene la carpeta de salida, y reanude el trabajo.',
  },
  SEAL_EMPTY_SOURCE: {
    message: 'El disco de origen está vacío (tamaño virtual 0); no hay nada que sellar.',
    hint: 'Elija la imagen que contiene los datos del disco.',
  },
  SEAL_CANCELLED: {
    message: 'El sellado se ha cancelado; no se ha escrito nada.',
    hint: 'Vuelva a sellar cuando quiera.',
  },
  SEAL_OUTPUT_EXISTS: {
    message: 'El archivo de salida ya existe; Image Sealer nunca sobrescribe una imagen sellada.',
    hint: 'Mueva el archivo anterior a otro sitio, o empiece un trabajo nuevo.',
  },
  SEAL_TRUNCATED: {
    message: 'La imagen sellada termina antes de tiempo: el archivo está incompleto.',
    hint: 'Cópielo o descárguelo de nuevo, o vuelva a sellar la imagen.',
  },
  SEAL_CORRUPT: {
    message: 'La imagen sellada está dañada.',
    hint: 'Vuelva a sellar la imagen; si se copió, cópiela de nuevo y compare el SHA-256 de su manifiesto.',
  },
  SEAL_QEMU_MISSING: {
    message: 'Esta imagen o este motor necesitan qemu-img, y no está instalado.',
    hint: 'Instale qemu-img (Debian/Ubuntu: apt install qemu-utils), o use el motor nativo con una imagen raw, qcow2 o VHD.',
  },
  SYSTEM_ENOSPC: {
    message: 'El disco está lleno.',
    hint: 'Libere espacio y reanude el trabajo; no se ha perdido nada.',
  },
  SYSTEM_EACCES: {
    message: 'Permiso denegado.',
    hint: 'Compruebe los permisos del archivo o de la carpeta (el detalle técnico indica cuál).',
  },

  DEK_FILE_INVALID: {
    message: 'El archivo de la DEK no contiene una clave de cifrado de datos que este destino pueda usar.',
    hint: 'Indique un archivo con exactamente los bytes aleatorios que requiere el destino (o su texto en base64), o deje que Image Sealer genere la DEK.',
  },
  DEK_SIZE: {
    message: 'La clave de cifrado de datos (DEK) no tiene el tamaño que requiere este destino.',
    hint: 'Deje el tamaño de la clave en el valor predeterminado del destino.',
  },
  DEK_WEAK: {
    message: 'La clave de cifrado de datos (DEK) no es lo bastante aleatoria para proteger la imagen.',
    hint: 'Use bytes aleatorios; por ejemplo, deje que Image Sealer genere la DEK.',
  },
  DEK_NOT_IN_CUSTODY: {
    message: 'La clave de cifrado de datos (DEK) de este trabajo ya no está en el llavero.',
    hint: 'Si el trabajo ya tenía la clave envuelta, no se ha perdido nada. Si no, la imagen sellada no se puede envolver: vuelva a sellarla.',
  },
  DEK_MISMATCH: {
    message: 'La clave del llavero no es la clave con la que se selló esta imagen.',
    hint: 'Vuelva a sellar la imagen; envolver esta clave produciría una imagen que no se puede importar.',
  },

  KEYCHAIN_UNAVAILABLE: {
    message:
      'El llavero del sistema operativo no está disponible. Image Sealer guarda las claves de API y las claves de cifrado de datos solo allí, nunca en archivos.',
    hint: 'Desbloquee el llavero (en Linux: instale y desbloquee GNOME Keyring o KWallet en una sesión de escritorio) y vuelva a intentarlo.',
  },
  KEYCHAIN_AMBIGUOUS: {
    message: 'El llavero contiene más de una entrada con el mismo nombre para Image Sealer.',
    hint: 'Elimine los duplicados con su gestor del llavero (por ejemplo Seahorse) y vuelva a intentarlo.',
  },
  KEYCHAIN_WRITE_FAILED: {
    message: 'El llavero no ha conservado la clave de cifrado de datos (DEK) de este trabajo.',
    hint: 'Compruebe que el llavero está desbloqueado y tiene espacio, y vuelva a sellar.',
  },

  CREDENTIALS_MISSING: {
    message: 'No hay ninguna clave de API de IBM Cloud guardada para el perfil {{profile}}.',
    hint: 'Guarde una en Configuración → Credenciales; se guarda en el llavero del sistema operativo.',
  },
  API_KEY_MALFORMED: {
    message: 'Eso no parece una clave de API de IBM Cloud (una sola palabra de 8 a 256 caracteres).',
    hint: 'Copie la clave de https://cloud.ibm.com/iam/apikeys (solo se muestra una vez, al crearla).',
  },
  HMAC_KEYS_MALFORMED: {
    message: 'Esas no son claves HMAC de COS.',
    hint: 'Cree credenciales HMAC para la instancia de COS (Credenciales de servicio → Incluir credencial HMAC).',
  },
  IAM_API_KEY_INVALID: {
    message: 'IBM Cloud IAM no ha aceptado la clave de API.',
    hint: 'Puede que la clave haya caducado, se haya eliminado, esté mal escrita o sea de otra cuenta. Guarde una clave válida en Configuración → Credenciales.',
  },
  IAM_UNREACHABLE: {
    message: 'No se puede conectar con IBM Cloud IAM en {{endpoint}}.',
    hint: 'Compruebe la conexión de red (y el proxy) y vuelva a intentarlo. Los trabajos sellados esperan sin riesgo hasta entonces.',
  },
  IAM_UNAVAILABLE: {
    message: 'IBM Cloud IAM no está disponible en este momento.',
    hint: 'Vuelva a intentarlo dentro de unos minutos.',
  },

  KMS_KEY_NOT_FOUND: {
    message: 'No se ha encontrado la clave raíz en la instancia {{instanceId}} del servicio de claves.',
    hint: 'Compruebe la clave raíz en la página Claves raíz y el identificador de la instancia del servicio de claves del perfil.',
  },
  KMS_UNAUTHORIZED: {
    message:
      'El servicio de claves ha rechazado la solicitud: la identidad de la clave de API no tiene acceso a la instancia {{instanceId}}.',
    hint: 'Dé al usuario o al ID de servicio de la clave de API una política de acceso de IAM en esta instancia con al menos el rol de servicio {{role}}, y compruebe el identificador de la instancia y la región del perfil.',
  },
  KMS_FORBIDDEN: {
    message: 'El servicio de claves prohíbe esta solicitud.',
    hint: 'La identidad necesita al menos el rol de servicio {{role}} en la instancia {{instanceId}}; una política de la instancia (red o direcciones IP permitidas) también puede prohibirla.',
  },
  KMS_KEY_STATE: {
    message: 'La clave raíz no está en un estado que permita esta operación.',
    hint: 'Para envolver se necesita una clave activa. Habilite la clave si estaba inhabilitada, o elija otra clave raíz.',
  },
  KMS_KEY_DELETED: {
    message: 'La clave raíz se ha eliminado.',
    hint: 'Una clave raíz eliminada no puede volver a envolver ni desenvolver: envuelva el trabajo con otra clave raíz (el trabajo conserva su DEK hasta entonces).',
  },
  KMS_BAD_CIPHERTEXT: {
    message: 'La clave envuelta no la produjo esta clave raíz, o está dañada.',
    hint: 'Use la clave raíz con la que se envolvió el trabajo (su CRN figura en el trabajo).',
  },
  KMS_NOT_ROOT_KEY: {
    message: 'La clave elegida es una clave estándar; solo una clave raíz puede envolver.',
    hint: 'Elija una clave raíz, o cree una en la página Claves raíz.',
  },
  KMS_UNREACHABLE: {
    message: 'No se puede conectar con el servicio de claves en {{endpoint}}.',
    hint: 'Compruebe la conexión de red y el punto final y la región del perfil, y vuelva a intentarlo; no se ha perdido nada. Un punto final privado solo es accesible desde dentro de IBM Cloud.',
  },
  KMS_UNAVAILABLE: {
    message: 'El servicio de claves ha tenido un problema y no ha podido completar la solicitud.',
    hint: 'Vuelva a intentarlo dentro de unos minutos. No se ha perdido nada.',
  },
  KMS_RATE_LIMITED: {
    message: 'El servicio de claves está limitando las solicitudes; la solicitud no ha pasado tras varios intentos.',
    hint: 'Espere un minuto y vuelva a intentarlo.',
  },
  ROOT_KEY_REQUIRED: {
    message: 'Este trabajo no tiene ninguna clave raíz elegida y su perfil no tiene clave raíz predeterminada.',
    hint: 'Elija una clave raíz en el paso Clave, o defina una clave raíz predeterminada en el perfil.',
  },
  WRAP_ROUND_TRIP_FAILED: {
    message:
      'Al desenvolver la nueva clave de cifrado de datos envuelta (WDEK) no se ha obtenido la clave de cifrado de datos.',
    hint: 'No se ha eliminado nada: la clave sigue en el llavero. Vuelva a envolverla; si falla otra vez, avise al administrador de Key Protect.',
  },

  COS_BUCKET_REQUIRED: {
    message: 'El perfil {{profile}} no indica ningún grupo de Cloud Object Storage.',
    hint: 'Indique un grupo para la subida, o defina uno en el perfil.',
  },
  COS_BUCKET_NOT_FOUND: {
    message: 'No existe el grupo {{bucket}} en la región {{region}}.',
    hint: 'Compruebe el nombre del grupo. Si existe, está en otra región: use el punto final de esa región en el perfil.',
  },
  COS_ACCESS_DENIED: {
    message: 'Las credenciales son válidas, pero no tienen permiso para hacer esto en el grupo {{bucket}}.',
    hint: 'Dé al ID de servicio o al usuario el rol Escritor en el grupo (IAM → Acceso), o use credenciales que lo tengan.',
  },
  COS_CREDENTIALS_REJECTED: {
    message: 'Cloud Object Storage no ha aceptado las credenciales.',
    hint: 'Compruebe la clave de API o las claves HMAC del perfil en Configuración → Credenciales, y que pertenecen a la cuenta propietaria del grupo.',
  },
  COS_UNREACHABLE: {
    message: 'No se puede conectar con Cloud Object Storage en {{endpoint}}.',
    hint: 'Compruebe la red y el punto final del perfil; la subida se puede reanudar.',
  },
  COS_UNAVAILABLE: {
    message: 'Cloud Object Storage está ocupado o no está disponible.',
    hint: 'La subida se reintenta sola; si continúa, reanúdela más tarde.',
  },
  UPLOAD_SOURCE_MISSING: {
    message: 'El archivo que se iba a subir, {{path}}, no existe.',
    hint: 'Compruebe la ruta, o elija el archivo sellado donde está ahora.',
  },
  UPLOAD_SOURCE_NOT_FILE: {
    message: '{{path}} no es un archivo.',
    hint: 'Elija el archivo de la imagen sellada.',
  },
  UPLOAD_SOURCE_CHANGED: {
    message:
      'El archivo {{path}} cambió desde que empezó su subida, así que las partes ya enviadas ya no coinciden con él.',
    hint: 'Restaure el archivo sellado, o descarte la subida y empiece de nuevo.',
  },
  UPLOAD_JOURNAL_CORRUPT: {
    message: 'El registro de esta subida está dañado y no es fiable.',
    hint: 'Descarte la subida y vuelva a iniciarla; el archivo sellado no se ve afectado.',
  },
  UPLOAD_NOT_FOUND: {
    message: 'Esta subida no está en curso ni esperando a que se reanude.',
    hint: 'Iníciela de nuevo; una subida parcial se reanuda donde se detuvo.',
  },
  UPLOAD_VERIFY_FAILED: {
    message: 'El objeto guardado no coincide con el archivo que se subió.',
    hint: 'Reanude para volver a subirlo.',
  },
  UPLOAD_TOO_LARGE: {
    message: 'El archivo es demasiado grande para un solo objeto de Cloud Object Storage.',
    hint: 'Un objeto admite como máximo 10 000 partes de 5 GiB.',
  },
  UPLOAD_RUNNING: {
    message: 'Esta subida está en curso, así que no se puede descartar.',
    hint: 'Cancélela en su lugar.',
  },
  UPLOAD_PROFILE_UNKNOWN: {
    message: 'El perfil que usaba esta subida interrumpida ya no existe.',
    hint: 'Vuelva a añadir el perfil, o descarte la subida.',
  },

  IMAGE_NAME_INVALID: {
    message: '{{name}} no es un nombre válido para una imagen de VPC.',
    hint: 'Use letras minúsculas, dígitos y guiones, empezando por una letra, con 63 caracteres como máximo (por ejemplo ubuntu-sealed-1).',
  },
  IMAGE_NAME_TAKEN: {
    message: 'Ya existe una imagen llamada {{name}} en {{region}}.',
    hint: 'Elija otro nombre de imagen en el paso Importación, o elimine la imagen anterior ({{imageId}}) en IBM Cloud.',
  },
  IMPORT_OS_MISSING: {
    message: 'No se ha elegido el sistema operativo de la imagen.',
    hint: 'Elija en el paso Importación el sistema operativo instalado en la imagen.',
  },
  IMPORT_OS_INVALID: {
    message: 'IBM Cloud no ha aceptado el sistema operativo elegido para la imagen.',
    hint: 'Elija otro sistema operativo de la lista del paso Importación y vuelva a importar.',
  },
  IMPORT_IN_PROGRESS: {
    message: 'El trabajo {{jobId}} ya tiene la imagen {{imageId}}, así que su nombre ya no puede cambiar.',
    hint: 'Reanude el trabajo sin cambiar el nombre para seguir esa imagen.',
  },
  IMPORT_FAILED: {
    message: 'La importación de la imagen {{imageId}} ha fallado; IBM Cloud indica el motivo {{reason}}.',
    hint: 'El detalle técnico explica el motivo y qué hacer. Corrija la causa y reanude el trabajo: la imagen fallida se sustituye.',
    knownReason: {
      messageNamed: 'La importación de la imagen {{name}} ({{imageId}}) ha fallado. {{reasonMeaning}}',
      message: 'La importación de la imagen {{imageId}} ha fallado. {{reasonMeaning}}',
      hint: '{{reasonFix}}',
    },
  },
  INSTANCE_NAME_INVALID: {
    message: '{{name}} no es un nombre válido para una instancia de servidor virtual.',
    hint: 'Use letras minúsculas, dígitos y guiones, empezando por una letra, con 63 caracteres como máximo.',
  },
  PROVISION_CHOICE_MISSING: {
    message: 'Falta una elección que necesita el nuevo servidor.',
    hint: 'El detalle técnico indica cuál y los valores disponibles. El paso Suministro ofrece el perfil de instancia, la zona y el centro de datos; indique los demás con el mandato image-sealer provision.',
  },
  PROVISION_FAILED: {
    message: 'La instancia {{name}} ({{instanceId}}) ha terminado con el estado {{status}}.',
    hint: 'Revise la instancia en la consola de IBM Cloud; elimínela y reanude el trabajo para pedir otra.',
  },
  CLOUD_NOT_AUTHORIZED: {
    message: 'IBM Cloud ha rechazado la solicitud: la clave de API no tiene autorización para ella.',
    hint: 'A la clave de API le falta un rol de IAM o una autorización de servicio que esta solicitud necesita; el detalle técnico indica cuáles. Pida que se los concedan y reanude el trabajo.',
  },
  CLOUD_NOT_FOUND: {
    message: 'IBM Cloud no ha encontrado lo que indica la solicitud.',
    hint: 'Compruebe el identificador y la región del perfil.',
  },
  CLOUD_CONFLICT: {
    message: 'IBM Cloud ha rechazado la solicitud: entra en conflicto con un recurso existente.',
    hint: 'Puede que ya exista un recurso con este nombre: elija otro nombre o elimine el anterior.',
  },
  CLOUD_REQUEST_INVALID: {
    message: 'IBM Cloud ha rechazado la solicitud porque uno de sus valores no es válido.',
    hint: 'El detalle técnico indica el valor y el motivo de IBM Cloud; corríjalo y vuelva a intentarlo.',
  },
  CLOUD_UNAVAILABLE: {
    message: 'IBM Cloud no puede completar la solicitud en este momento.',
    hint: 'El servicio está ocupado o fallando; reanude el trabajo dentro de unos minutos.',
  },
  CLOUD_ERROR: {
    message: 'IBM Cloud ha respondido a la solicitud con un error inesperado (HTTP {{status}}).',
    hint: 'Vuelva a intentarlo; si vuelve a ocurrir, infórmelo con el detalle técnico.',
  },
  CLOUD_TIMEOUT: {
    message: 'IBM Cloud no ha respondido a tiempo en {{endpoint}}.',
    hint: 'Compruebe la conexión de red y el punto final del perfil, y reanude el trabajo.',
  },
  CLOUD_UNREACHABLE: {
    message: 'No se puede conectar con IBM Cloud en {{endpoint}}.',
    hint: 'Compruebe la conexión de red y el punto final del perfil (para el sandbox: ¿está en marcha?), y reanude el trabajo.',
  },
  CLOUD_WAIT_TIMEOUT: {
    message: 'Image Sealer ha dejado de esperar a IBM Cloud tras {{seconds}} s.',
    hint: 'La solicitud sigue en curso en IBM Cloud; reanude el trabajo más tarde para seguirla (no se vuelve a enviar nada).',
  },
  CLOUD_RESPONSE_INVALID: {
    message: 'IBM Cloud ha dado una respuesta que Image Sealer no puede usar.',
    hint: 'Reanude el trabajo dentro de unos minutos; si vuelve a ocurrir, infórmelo con el detalle técnico.',
  },
  SANDBOX_SERVICE_MISSING: {
    message: 'El sandbox en marcha no tiene servicio de importación de VPC ni de la infraestructura clásica.',
    hint: 'Detenga el sandbox y vuelva a iniciarlo con esta versión de Image Sealer.',
  },

  HOST_UNREACHABLE: {
    message: 'La aplicación no responde. ¿Sigue en marcha Image Sealer?',
    hint: 'Vuelva a iniciar Image Sealer y recargue esta página con la dirección que muestra.',
  },
  TIMEOUT: {
    message: 'La aplicación ha tardado demasiado en responder.',
    hint: 'Compruebe que Image Sealer sigue en marcha y vuelva a intentarlo.',
  },

  PROFILE_NOT_FOUND: {
    message: 'No hay ningún perfil llamado {{name}}.',
    hint: 'Elija uno de los perfiles de Configuración, o añada uno.',
  },
  PROFILE_EXISTS: {
    message: 'Ya existe un perfil llamado {{name}}.',
    hint: 'Edite ese perfil, o elija otro nombre.',
  },
  PROFILE_BUILT_IN: {
    message: 'El perfil sandbox es integrado y no se puede cambiar ni eliminar.',
    hint: 'Añada un perfil propio para una cuenta de IBM Cloud.',
  },
  PROFILE_INCOMPLETE: {
    message: 'El perfil {{name}} no indica ninguna instancia del servicio de claves.',
    hint: 'Edite el perfil y escriba el identificador de la instancia del servicio de claves (el GUID de la instancia de Key Protect o de Hyper Protect Crypto Services).',
  },
  SETTINGS_DAMAGED: {
    message: 'No se puede leer el archivo de configuración.',
    hint: 'Corrija o elimine el archivo (el detalle técnico indica cuál); los perfiles volverán a empezar desde el sandbox integrado.',
  },

  JOB_NOT_FOUND: {
    message: 'No hay ningún trabajo con el identificador {{jobId}}.',
    hint: 'Puede que se haya eliminado; la página Trabajos muestra los que hay.',
  },
  JOB_BUSY: {
    message: 'El trabajo está en curso.',
    hint: 'Espere a que termine, o páuselo primero.',
  },
  JOB_CANCELLED: {
    message: 'El trabajo se ha cancelado.',
    hint: 'Un trabajo cancelado no puede continuar; empiece un trabajo nuevo para esta imagen.',
  },
  JOB_PAUSED: {
    message: 'El paso se ha puesto en pausa.',
    hint: 'Reanude el trabajo para continuar; el trabajo hecho se conserva.',
  },
  JOB_NOT_READY: {
    message: 'El trabajo no ha terminado los pasos que este necesita.',
    hint: 'Reanude el trabajo para terminar antes los pasos anteriores.',
  },
  JOB_NOT_SEALED: {
    message: 'El trabajo no tiene ninguna imagen sellada para este paso.',
    hint: 'Selle la imagen primero.',
  },
  JOB_ALREADY_SEALED: {
    message: 'El trabajo ya está sellado.',
    hint: 'Su imagen sellada está en la ruta que muestra el trabajo; empiece un trabajo nuevo para sellar de nuevo.',
  },
  INVALID_INPUT: {
    message: 'La aplicación ha rechazado la solicitud porque algunos de sus valores no son válidos.',
    hint: 'Compruebe los valores que ha escrito; el detalle técnico indica cuál se rechazó.',
  },
};
