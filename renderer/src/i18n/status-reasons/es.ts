import type { StatusReasonCatalog } from './en';

/**
 * Spanish: the meaning translates main's English; the fix is worded for the app's pages, where importing again
 * means resuming the job (the failed image is replaced), as the error-text hints are. Same terms as es.ts.
 */
export const esStatusReasons: StatusReasonCatalog = {
  encrypted_data_key_invalid: {
    meaning:
      'Al desenvolver la clave de cifrado de datos envuelta (WDEK) no se obtiene el secreto de esta imagen, así que la imagen no se puede descifrar.',
    fix: 'Vuelva a envolver la DEK con la clave raíz para la que se selló la imagen (la misma cuyo CRN se indica al importar), vuelva a subir la imagen si hace falta y reanude el trabajo: la imagen fallida se sustituye.',
  },
  encryption_key_deleted: {
    meaning: 'La clave raíz de la imagen se ha eliminado del servicio de gestión de claves.',
    fix: 'IBM Cloud ya no puede descifrar esta imagen. Vuelva a sellarla en un trabajo nuevo y envuelva su clave con una clave raíz que exista.',
  },
  encryption_key_disabled: {
    meaning: 'La clave raíz de la imagen está inhabilitada (suspendida) en el servicio de gestión de claves.',
    fix: 'Vuelva a habilitar la clave raíz en Key Protect o Hyper Protect Crypto Services y reanude el trabajo: la imagen fallida se sustituye.',
  },
  image_data_corrupted: {
    meaning:
      'Los datos de la imagen están dañados o no tienen el formato que espera la importación (no coinciden con lo que se selló y se subió).',
    fix: 'Vuelva a subir la imagen sellada (puede que el objeto se haya modificado o truncado) y reanude el trabajo: la imagen fallida se sustituye.',
  },
  image_provisioned_size_unsupported: {
    meaning: 'La imagen necesita un volumen de arranque mayor que el máximo que admite el servicio.',
    fix: 'Reduzca el tamaño virtual del disco de origen (como máximo 250 GB para VPC y 100 GB para la infraestructura clásica) y vuelva a sellarlo e importarlo en un trabajo nuevo.',
  },
  image_request_in_progress: {
    meaning: 'La importación está en curso.',
    fix: 'Espere; el estado se vuelve a comprobar automáticamente.',
  },
  image_request_queued: {
    meaning: 'La solicitud de importación se ha aceptado y está a la espera de empezar.',
    fix: 'Espere; el estado se vuelve a comprobar automáticamente.',
  },
};
