import type { ErrorTextCatalog } from './en';

/** Italian wording of the errors a person meets; the same terms as it.ts (bucket, portachiavi, chiave root…). */
export const itErrorText: ErrorTextCatalog = {
  IMAGE_NOT_FOUND: {
    message: 'Non c’è nessun file in {{path}}.',
    hint: 'Controlli il percorso; il file potrebbe essere stato spostato o eliminato.',
  },
  IMAGE_NOT_A_FILE: {
    message: '{{path}} non è un file di immagine disco.',
    hint: 'Scelga il file dell’immagine stesso (per esempio disk.qcow2, disk.vhd o disk.raw), non una cartella.',
  },
  IMAGE_EMPTY: {
    message: '{{path}} è vuoto (0 byte), quindi non contiene nessuna immagine disco.',
    hint: 'Probabilmente la copia o il download non è riuscito; recuperi di nuovo l’immagine.',
  },
  IMAGE_UNREADABLE: {
    message: 'Impossibile leggere l’immagine {{path}}.',
    hint: 'Verifichi che l’utente che esegue Image Sealer possa leggere il file e che il disco che lo contiene sia collegato.',
  },
  IMAGE_TRUNCATED: {
    message: 'L’immagine {{path}} è incompleta: finisce prima dei dati annunciati dalla sua stessa struttura.',
    hint: 'Probabilmente la copia o il download si è interrotto; recuperi di nuovo l’immagine e ne confronti la dimensione.',
  },
  IMAGE_CORRUPT: {
    message: 'L’immagine {{path}} è danneggiata e non può essere letta in modo affidabile.',
    hint: 'Controlli l’immagine con qemu-img check, oppure la esporti di nuovo dalla sua origine.',
  },
  IMAGE_UNSUPPORTED_FORMAT: {
    message: 'Image Sealer non sa leggere il formato di {{path}}.',
    hint: 'Converta l’immagine in qcow2 o raw con qemu-img e scelga il file convertito.',
  },
  IMAGE_BACKING_FILE: {
    message:
      'L’immagine {{path}} dipende da un file di base: da sola contiene solo differenze e non può essere sigillata.',
    hint: 'La appiattisca prima (per esempio qemu-img convert -O qcow2 image.qcow2 flat.qcow2) e scelga il file appiattito.',
  },
  IMAGE_ALREADY_ENCRYPTED: {
    message:
      'L’immagine {{path}} è già crittografata. Image Sealer ha bisogno dell’immagine non crittografata per sigillarla.',
    hint: 'Scelga l’immagine originale, non crittografata. Un’immagine sigillata non può essere sigillata di nuovo.',
  },
  IMAGE_BAD_MAGIC: {
    message: '{{path}} ha il nome di un’immagine {{expected}}, ma non ne porta la firma {{expected}}.',
    hint: 'Il file è danneggiato o ha un nome sbagliato. Se è davvero un disco grezzo, lo rinomini in .raw o .img; altrimenti recuperi di nuovo l’immagine.',
  },
  IMAGE_CHANGED: {
    message:
      'L’immagine {{path}} è cambiata durante la lettura, quindi niente di ciò che ne è stato prodotto è affidabile.',
    hint: 'Si assicuri che nulla (una macchina virtuale, un download, una copia) stia ancora scrivendo l’immagine, poi ricominci.',
  },
  IMAGE_NOT_ACCEPTED: {
    message: 'L’immagine non soddisfa i requisiti della destinazione scelta.',
    hint: 'I problemi sono elencati sotto l’immagine; scelga un’altra destinazione o prepari di nuovo l’immagine.',
  },
  VHD_MALFORMED: {
    message: 'Il file non è un VHD crittografato valido come lo scrive vhd-util.',
    hint: 'Verifichi che sia il file sigillato e che non sia stato troncato o modificato.',
  },
  VHD_NOT_ENCRYPTED: {
    message: 'Questo VHD non è crittografato nel formato di vhd-util.',
    hint: 'Scelga il file sigillato .vhd-0.vhd della destinazione VHD classico.',
  },
  VHD_WRONG_KEY: {
    message: 'Questa chiave non apre il VHD: il suo hash è diverso da quello della chiave salvato nell’immagine.',
    hint: 'Usi la chiave di crittografia dei dati (DEK) propria di questa immagine; una chiave da 64 byte e una da 32 byte non sono intercambiabili.',
  },
  VHD_TOO_LARGE: {
    message: 'Il VHD crittografato supererebbe i 2 TiB che un VHD può indirizzare.',
    hint: 'Per dischi così grandi scelga la destinazione VPC.',
  },

  SEAL_WRONG_KEY: {
    message: 'La chiave non apre questa immagine sigillata.',
    hint: 'Usi la chiave di crittografia dei dati (DEK) con cui l’immagine è stata sigillata e controlli la destinazione.',
  },
  SEAL_VERIFY_MISMATCH: {
    message: 'La verifica non è riuscita: l’immagine sigillata non si decrittografa nell’immagine di origine.',
    hint: 'L’immagine sigillata non è stata conservata. La sigilli di nuovo; se non riesce ancora, controlli il disco e la memoria di questo computer e lo segnali.',
  },
  SEAL_WRITE_FAILED: {
    message: 'Non è stato possibile scrivere l’immagine sigillata.',
    hint: 'Controlli lo spazio libero e lo stato del disco che contiene la cartella di output, poi riprenda il lavoro.',
  },
  SEAL_EMPTY_SOURCE: {
    message: 'Il disco di origine è vuoto (dimensione virtuale 0); non c’è nulla da sigillare.',
    hint: 'Scelga l’immagine che contiene i dati del disco.',
  },
  SEAL_CANCELLED: {
    message: 'La sigillatura è stata annullata; non è stato scritto nulla.',
    hint: 'Sigilli di nuovo quando è pronto.',
  },
  SEAL_OUTPUT_EXISTS: {
    message: 'Il file di output esiste già; Image Sealer non sovrascrive mai un’immagine sigillata.',
    hint: 'Sposti altrove il file precedente, oppure avvii un nuovo lavoro.',
  },
  SEAL_TRUNCATED: {
    message: 'L’immagine sigillata finisce prima del previsto: il file è incompleto.',
    hint: 'Lo copi o lo scarichi di nuovo, oppure sigilli di nuovo l’immagine.',
  },
  SEAL_CORRUPT: {
    message: 'L’immagine sigillata è danneggiata.',
    hint: 'Sigilli di nuovo l’immagine; se è stata copiata, la copi di nuovo e confronti lo SHA-256 del suo manifesto.',
  },
  SEAL_QEMU_MISSING: {
    message: 'Questa immagine o questo motore richiede qemu-img, che non è installato.',
    hint: 'Installi qemu-img (Debian/Ubuntu: apt install qemu-utils), oppure usi il motore nativo con un’immagine raw, qcow2 o VHD.',
  },
  SYSTEM_ENOSPC: {
    message: 'Il disco è pieno.',
    hint: 'Liberi spazio e riprenda il lavoro; non è andato perso nulla.',
  },
  SYSTEM_EACCES: {
    message: 'Permesso negato.',
    hint: 'Controlli i permessi del file o della cartella (il dettaglio tecnico indica quale).',
  },

  DEK_FILE_INVALID: {
    message: 'Il file della DEK non contiene una chiave di crittografia dei dati utilizzabile da questa destinazione.',
    hint: 'Indichi un file con esattamente i byte casuali richiesti dalla destinazione (o il loro testo base64), oppure lasci che Image Sealer generi la DEK.',
  },
  DEK_SIZE: {
    message: 'La chiave di crittografia dei dati (DEK) non ha la dimensione richiesta da questa destinazione.',
    hint: 'Lasci la dimensione della chiave al valore predefinito della destinazione.',
  },
  DEK_WEAK: {
    message: 'La chiave di crittografia dei dati (DEK) non è abbastanza casuale per proteggere l’immagine.',
    hint: 'Usi byte casuali; per esempio lasci che Image Sealer generi la DEK.',
  },
  DEK_NOT_IN_CUSTODY: {
    message: 'La chiave di crittografia dei dati (DEK) di questo lavoro non è più nel portachiavi.',
    hint: 'Se la chiave del lavoro era già impacchettata, non è andato perso nulla. Altrimenti l’immagine sigillata non può essere impacchettata: la sigilli di nuovo.',
  },
  DEK_MISMATCH: {
    message: 'La chiave nel portachiavi non è quella con cui è stata sigillata questa immagine.',
    hint: 'Sigilli di nuovo l’immagine; impacchettare questa chiave produrrebbe un’immagine impossibile da importare.',
  },

  KEYCHAIN_UNAVAILABLE: {
    message:
      'Il portachiavi del sistema operativo non è disponibile. Image Sealer conserva le chiavi API e le chiavi di crittografia dei dati solo lì, mai in file.',
    hint: 'Sblocchi il portachiavi (su Linux: installi e sblocchi GNOME Keyring o KWallet in una sessione desktop) e riprovi.',
  },
  KEYCHAIN_AMBIGUOUS: {
    message: 'Il portachiavi contiene più di una voce con lo stesso nome per Image Sealer.',
    hint: 'Rimuova i duplicati con il gestore del portachiavi (per esempio Seahorse) e riprovi.',
  },
  KEYCHAIN_WRITE_FAILED: {
    message: 'Il portachiavi non ha conservato la chiave di crittografia dei dati (DEK) di questo lavoro.',
    hint: 'Verifichi che il portachiavi sia sbloccato e abbia spazio, poi sigilli di nuovo.',
  },

  CREDENTIALS_MISSING: {
    message: 'Nessuna chiave API di IBM Cloud è salvata per il profilo {{profile}}.',
    hint: 'Ne salvi una in Impostazioni → Credenziali; viene conservata nel portachiavi del sistema operativo.',
  },
  API_KEY_MALFORMED: {
    message: 'Non sembra una chiave API di IBM Cloud (una sola parola da 8 a 256 caratteri).',
    hint: 'Copi la chiave da https://cloud.ibm.com/iam/apikeys (viene mostrata una sola volta, alla creazione).',
  },
  HMAC_KEYS_MALFORMED: {
    message: 'Queste non sono chiavi HMAC di COS.',
    hint: 'Crei credenziali HMAC per l’istanza COS (Credenziali del servizio → Includi credenziale HMAC).',
  },
  IAM_API_KEY_INVALID: {
    message: 'IBM Cloud IAM non ha accettato la chiave API.',
    hint: 'La chiave potrebbe essere scaduta, eliminata, scritta male o appartenere a un altro account. Salvi una chiave valida in Impostazioni → Credenziali.',
  },
  IAM_UNREACHABLE: {
    message: 'Impossibile raggiungere IBM Cloud IAM su {{endpoint}}.',
    hint: 'Controlli la connessione di rete (e il proxy), poi riprovi. I lavori sigillati attendono al sicuro fino ad allora.',
  },
  IAM_UNAVAILABLE: {
    message: 'IBM Cloud IAM non è disponibile in questo momento.',
    hint: 'Riprovi tra qualche minuto.',
  },

  KMS_KEY_NOT_FOUND: {
    message: 'La chiave root non è stata trovata nell’istanza {{instanceId}} del servizio di chiavi.',
    hint: 'Controlli la chiave root nella pagina Chiavi root e l’identificativo dell’istanza del servizio di chiavi del profilo.',
  },
  KMS_UNAUTHORIZED: {
    message:
      'Il servizio di chiavi ha rifiutato la richiesta: l’identità della chiave API non ha accesso all’istanza {{instanceId}}.',
    hint: 'Assegni all’utente o all’ID servizio della chiave API una politica di accesso IAM su questa istanza con almeno il ruolo di servizio {{role}}, e controlli l’identificativo dell’istanza e la regione del profilo.',
  },
  KMS_FORBIDDEN: {
    message: 'Il servizio di chiavi vieta questa richiesta.',
    hint: 'L’identità ha bisogno almeno del ruolo di servizio {{role}} sull’istanza {{instanceId}}; anche una politica dell’istanza (rete o indirizzi IP consentiti) può vietarla.',
  },
  KMS_KEY_STATE: {
    message: 'La chiave root non è in uno stato che consente questa operazione.',
    hint: 'Per impacchettare serve una chiave attiva. Abiliti la chiave se era disabilitata, oppure scelga un’altra chiave root.',
  },
  KMS_KEY_DELETED: {
    message: 'La chiave root è stata eliminata.',
    hint: 'Una chiave root eliminata non può più impacchettare né spacchettare: impacchetti il lavoro con un’altra chiave root (il lavoro conserva la sua DEK fino ad allora).',
  },
  KMS_BAD_CIPHERTEXT: {
    message: 'La chiave impacchettata non è stata prodotta da questa chiave root, oppure è danneggiata.',
    hint: 'Usi la chiave root con cui è stato impacchettato il lavoro (il suo CRN è nel lavoro).',
  },
  KMS_NOT_ROOT_KEY: {
    message: 'La chiave scelta è una chiave standard; solo una chiave root può impacchettare.',
    hint: 'Scelga una chiave root, oppure ne crei una nella pagina Chiavi root.',
  },
  KMS_UNREACHABLE: {
    message: 'Impossibile raggiungere il servizio di chiavi su {{endpoint}}.',
    hint: 'Controlli la connessione di rete e l’endpoint e la regione del profilo, poi riprovi; non è andato perso nulla. Un endpoint privato è raggiungibile solo dall’interno di IBM Cloud.',
  },
  KMS_UNAVAILABLE: {
    message: 'Il servizio di chiavi ha avuto un problema e non ha potuto completare la richiesta.',
    hint: 'Riprovi tra qualche minuto. Non è andato perso nulla.',
  },
  KMS_RATE_LIMITED: {
    message: 'Il servizio di chiavi sta limitando le richieste; la richiesta non è passata dopo diversi tentativi.',
    hint: 'Attenda un minuto e riprovi.',
  },
  ROOT_KEY_REQUIRED: {
    message: 'Per questo lavoro non è scelta nessuna chiave root e il suo profilo non ha una chiave root predefinita.',
    hint: 'Scelga una chiave root nel passo Chiave, oppure imposti una chiave root predefinita nel profilo.',
  },
  WRAP_ROUND_TRIP_FAILED: {
    message:
      'Spacchettando la nuova chiave di crittografia dei dati impacchettata (WDEK) non si è riottenuta la chiave di crittografia dei dati.',
    hint: 'Non è stato eliminato nulla: la chiave è ancora nel portachiavi. Impacchetti di nuovo; se non riesce ancora, avvisi l’amministratore di Key Protect.',
  },

  COS_BUCKET_REQUIRED: {
    message: 'Il profilo {{profile}} non indica nessun bucket di Cloud Object Storage.',
    hint: 'Indichi un bucket per il caricamento, oppure ne imposti uno nel profilo.',
  },
  COS_BUCKET_NOT_FOUND: {
    message: 'Non esiste il bucket {{bucket}} nella regione {{region}}.',
    hint: 'Controlli il nome del bucket. Se esiste, è in un’altra regione: usi l’endpoint di quella regione nel profilo.',
  },
  COS_ACCESS_DENIED: {
    message: 'Le credenziali sono valide, ma non hanno il permesso di farlo nel bucket {{bucket}}.',
    hint: 'Assegni all’ID servizio o all’utente il ruolo Scrittore sul bucket (IAM → Accesso), oppure usi credenziali che lo abbiano.',
  },
  COS_CREDENTIALS_REJECTED: {
    message: 'Cloud Object Storage non ha accettato le credenziali.',
    hint: 'Controlli la chiave API o le chiavi HMAC del profilo in Impostazioni → Credenziali, e che appartengano all’account proprietario del bucket.',
  },
  COS_UNREACHABLE: {
    message: 'Impossibile raggiungere Cloud Object Storage su {{endpoint}}.',
    hint: 'Controlli la rete e l’endpoint del profilo; il caricamento può essere ripreso.',
  },
  COS_UNAVAILABLE: {
    message: 'Cloud Object Storage è occupato o non disponibile.',
    hint: 'Il caricamento riprova da solo; se continua, lo riprenda più tardi.',
  },
  UPLOAD_SOURCE_MISSING: {
    message: 'Il file da caricare, {{path}}, non esiste.',
    hint: 'Controlli il percorso, oppure scelga il file sigillato dove si trova ora.',
  },
  UPLOAD_SOURCE_NOT_FILE: {
    message: '{{path}} non è un file.',
    hint: 'Scelga il file dell’immagine sigillata.',
  },
  UPLOAD_SOURCE_CHANGED: {
    message:
      'Il file {{path}} è cambiato da quando è iniziato il suo caricamento, quindi le parti già inviate non corrispondono più.',
    hint: 'Ripristini il file sigillato, oppure scarti il caricamento e ricominci.',
  },
  UPLOAD_JOURNAL_CORRUPT: {
    message: 'Il record di questo caricamento è danneggiato e non è affidabile.',
    hint: 'Scarti il caricamento e lo avvii di nuovo; il file sigillato non è interessato.',
  },
  UPLOAD_NOT_FOUND: {
    message: 'Questo caricamento non è in corso e non attende di essere ripreso.',
    hint: 'Lo avvii di nuovo; un caricamento parziale riprende da dove si era fermato.',
  },
  UPLOAD_VERIFY_FAILED: {
    message: 'L’oggetto salvato non corrisponde al file caricato.',
    hint: 'Riprenda per caricarlo di nuovo.',
  },
  UPLOAD_TOO_LARGE: {
    message: 'Il file è troppo grande per un solo oggetto di Cloud Object Storage.',
    hint: 'Un oggetto contiene al massimo 10.000 parti da 5 GiB.',
  },
  UPLOAD_RUNNING: {
    message: 'Questo caricamento è in corso, quindi non può essere scartato.',
    hint: 'Lo annulli invece.',
  },
  UPLOAD_PROFILE_UNKNOWN: {
    message: 'Il profilo usato da questo caricamento interrotto non esiste più.',
    hint: 'Aggiunga di nuovo il profilo, oppure scarti il caricamento.',
  },

  IMAGE_NAME_INVALID: {
    message: '{{name}} non è un nome valido per un’immagine VPC.',
    hint: 'Usi lettere minuscole, cifre e trattini, iniziando con una lettera, al massimo 63 caratteri (per esempio ubuntu-sealed-1).',
  },
  IMAGE_NAME_TAKEN: {
    message: 'Esiste già un’immagine di nome {{name}} in {{region}}.',
    hint: 'Scelga un altro nome dell’immagine nel passo Importazione, oppure elimini la vecchia immagine ({{imageId}}) in IBM Cloud.',
  },
  IMPORT_OS_MISSING: {
    message: 'Il sistema operativo dell’immagine non è stato scelto.',
    hint: 'Scelga nel passo Importazione il sistema operativo installato nell’immagine.',
  },
  IMPORT_OS_INVALID: {
    message: 'IBM Cloud non ha accettato il sistema operativo scelto per l’immagine.',
    hint: 'Scelga un altro sistema operativo dall’elenco del passo Importazione e importi di nuovo.',
  },
  IMPORT_IN_PROGRESS: {
    message: 'Il lavoro {{jobId}} ha già l’immagine {{imageId}}, quindi il suo nome non può più cambiare.',
    hint: 'Riprenda il lavoro senza cambiare il nome per seguire quell’immagine.',
  },
  IMPORT_FAILED: {
    message: 'L’importazione dell’immagine {{imageId}} non è riuscita; IBM Cloud indica il motivo {{reason}}.',
    hint: 'Il dettaglio tecnico spiega il motivo e cosa fare. Corregga la causa e riprenda il lavoro: l’immagine non riuscita viene sostituita.',
    knownReason: {
      messageNamed: 'L’importazione dell’immagine {{name}} ({{imageId}}) non è riuscita. {{reasonMeaning}}',
      message: 'L’importazione dell’immagine {{imageId}} non è riuscita. {{reasonMeaning}}',
      hint: '{{reasonFix}}',
    },
  },
  INSTANCE_NAME_INVALID: {
    message: '{{name}} non è un nome valido per un’istanza di server virtuale.',
    hint: 'Usi lettere minuscole, cifre e trattini, iniziando con una lettera, al massimo 63 caratteri.',
  },
  PROVISION_CHOICE_MISSING: {
    message: 'Manca una scelta necessaria al nuovo server.',
    hint: 'Il dettaglio tecnico indica quale e i valori disponibili. Il passo Fornitura offre il profilo dell’istanza, la zona e il centro dati; indichi gli altri con il comando image-sealer provision.',
  },
  PROVISION_FAILED: {
    message: 'L’istanza {{name}} ({{instanceId}}) è terminata con lo stato {{status}}.',
    hint: 'Esamini l’istanza nella console di IBM Cloud; la elimini e riprenda il lavoro per ordinarne un’altra.',
  },
  CLOUD_NOT_AUTHORIZED: {
    message: 'IBM Cloud ha rifiutato la richiesta: la chiave API non è autorizzata a farla.',
    hint: 'Alla chiave API manca un ruolo IAM o un’autorizzazione del servizio necessari a questa richiesta; il dettaglio tecnico indica quali. Li faccia concedere, poi riprenda il lavoro.',
  },
  CLOUD_NOT_FOUND: {
    message: 'IBM Cloud non ha trovato ciò che la richiesta indica.',
    hint: 'Controlli l’identificativo e la regione del profilo.',
  },
  CLOUD_CONFLICT: {
    message: 'IBM Cloud ha rifiutato la richiesta: è in conflitto con una risorsa esistente.',
    hint: 'Potrebbe esistere già una risorsa con questo nome: scelga un altro nome oppure elimini quella vecchia.',
  },
  CLOUD_REQUEST_INVALID: {
    message: 'IBM Cloud ha rifiutato la richiesta perché uno dei suoi valori non è valido.',
    hint: 'Il dettaglio tecnico indica il valore e il motivo di IBM Cloud; lo corregga e riprovi.',
  },
  CLOUD_UNAVAILABLE: {
    message: 'IBM Cloud non può completare la richiesta in questo momento.',
    hint: 'Il servizio è occupato o ha problemi; riprenda il lavoro tra qualche minuto.',
  },
  CLOUD_ERROR: {
    message: 'IBM Cloud ha risposto alla richiesta con un errore inatteso (HTTP {{status}}).',
    hint: 'Riprovi; se succede di nuovo, lo segnali allegando il dettaglio tecnico.',
  },
  CLOUD_TIMEOUT: {
    message: 'IBM Cloud su {{endpoint}} non ha risposto in tempo.',
    hint: 'Controlli la connessione di rete e l’endpoint del profilo, poi riprenda il lavoro.',
  },
  CLOUD_UNREACHABLE: {
    message: 'Impossibile raggiungere IBM Cloud su {{endpoint}}.',
    hint: 'Controlli la connessione di rete e l’endpoint del profilo (per il sandbox: è in esecuzione?), poi riprenda il lavoro.',
  },
  CLOUD_WAIT_TIMEOUT: {
    message: 'Image Sealer ha smesso di attendere IBM Cloud dopo {{seconds}} s.',
    hint: 'La richiesta è ancora in corso in IBM Cloud; riprenda il lavoro più tardi per continuare a seguirla (non viene inviato nulla di nuovo).',
  },
  CLOUD_RESPONSE_INVALID: {
    message: 'IBM Cloud ha dato una risposta che Image Sealer non può usare.',
    hint: 'Riprenda il lavoro tra qualche minuto; se succede di nuovo, lo segnali allegando il dettaglio tecnico.',
  },
  SANDBOX_SERVICE_MISSING: {
    message: 'Il sandbox in esecuzione non ha il servizio di importazione VPC né quello dell’infrastruttura classica.',
    hint: 'Arresti il sandbox e lo avvii di nuovo con questa versione di Image Sealer.',
  },

  HOST_UNREACHABLE: {
    message: 'L’applicazione non risponde. Image Sealer è ancora in esecuzione?',
    hint: 'Avvii di nuovo Image Sealer e ricarichi questa pagina con l’indirizzo che mostra.',
  },
  TIMEOUT: {
    message: 'L’applicazione ha impiegato troppo tempo a rispondere.',
    hint: 'Verifichi che Image Sealer sia ancora in esecuzione, poi riprovi.',
  },

  PROFILE_NOT_FOUND: {
    message: 'Non esiste nessun profilo di nome {{name}}.',
    hint: 'Scelga uno dei profili in Impostazioni, oppure ne aggiunga uno.',
  },
  PROFILE_EXISTS: {
    message: 'Esiste già un profilo di nome {{name}}.',
    hint: 'Modifichi quel profilo, oppure scelga un altro nome.',
  },
  PROFILE_BUILT_IN: {
    message: 'Il profilo sandbox è integrato e non può essere modificato né rimosso.',
    hint: 'Aggiunga un profilo suo per un account IBM Cloud.',
  },
  PROFILE_INCOMPLETE: {
    message: 'Il profilo {{name}} non indica nessuna istanza del servizio di chiavi.',
    hint: 'Modifichi il profilo e inserisca l’identificativo dell’istanza del servizio di chiavi (il GUID dell’istanza di Key Protect o di Hyper Protect Crypto Services).',
  },
  SETTINGS_DAMAGED: {
    message: 'Impossibile leggere il file delle impostazioni.',
    hint: 'Corregga o elimini il file (il dettaglio tecnico indica quale); i profili ripartiranno dal sandbox integrato.',
  },

  JOB_NOT_FOUND: {
    message: 'Non esiste nessun lavoro con l’identificativo {{jobId}}.',
    hint: 'Potrebbe essere stato eliminato; la pagina Lavori elenca quelli esistenti.',
  },
  JOB_BUSY: {
    message: 'Il lavoro è in esecuzione.',
    hint: 'Attenda che finisca, oppure lo metta prima in pausa.',
  },
  JOB_CANCELLED: {
    message: 'Il lavoro è stato annullato.',
    hint: 'Un lavoro annullato non può proseguire; avvii un nuovo lavoro per questa immagine.',
  },
  JOB_PAUSED: {
    message: 'Il passo è stato messo in pausa.',
    hint: 'Riprenda il lavoro per continuare; il lavoro svolto viene conservato.',
  },
  JOB_NOT_READY: {
    message: 'Il lavoro non ha completato i passi necessari a questo.',
    hint: 'Riprenda il lavoro per completare prima i passi precedenti.',
  },
  JOB_NOT_SEALED: {
    message: 'Il lavoro non ha nessuna immagine sigillata per questo passo.',
    hint: 'Sigilli prima l’immagine.',
  },
  JOB_ALREADY_SEALED: {
    message: 'Il lavoro è già sigillato.',
    hint: 'La sua immagine sigillata si trova nel percorso indicato nel lavoro; avvii un nuovo lavoro per sigillare di nuovo.',
  },
  INVALID_INPUT: {
    message: 'L’applicazione ha rifiutato la richiesta perché alcuni valori non sono validi.',
    hint: 'Controlli i valori inseriti; il dettaglio tecnico indica quello rifiutato.',
  },
};
