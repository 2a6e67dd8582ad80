import type { StatusReasonCatalog } from './en';

/**
 * Italian: the meaning translates main's English; the fix is worded for the app's pages, where importing again
 * means resuming the job (the failed image is replaced), as the error-text hints are. Same terms as it.ts.
 */
export const itStatusReasons: StatusReasonCatalog = {
  encrypted_data_key_invalid: {
    meaning:
      'Spacchettando la chiave di crittografia dei dati impacchettata (WDEK) non si ottiene il segreto di questa immagine, quindi l’immagine non può essere decrittografata.',
    fix: 'Impacchetti di nuovo la DEK con la chiave root per cui è stata sigillata l’immagine (la stessa il cui CRN è usato nell’importazione), carichi di nuovo l’immagine se necessario e riprenda il lavoro: l’immagine non riuscita viene sostituita.',
  },
  encryption_key_deleted: {
    meaning: 'La chiave root dell’immagine è stata eliminata dal servizio di gestione delle chiavi.',
    fix: 'IBM Cloud non può più decrittografare questa immagine. La sigilli di nuovo in un nuovo lavoro e impacchetti la sua chiave con una chiave root esistente.',
  },
  encryption_key_disabled: {
    meaning: 'La chiave root dell’immagine è disabilitata (sospesa) nel servizio di gestione delle chiavi.',
    fix: 'Abiliti di nuovo la chiave root in Key Protect o Hyper Protect Crypto Services e riprenda il lavoro: l’immagine non riuscita viene sostituita.',
  },
  image_data_corrupted: {
    meaning:
      'I dati dell’immagine sono danneggiati o non sono nel formato previsto dall’importazione (non corrispondono a ciò che è stato sigillato e caricato).',
    fix: 'Carichi di nuovo l’immagine sigillata (l’oggetto potrebbe essere stato modificato o troncato) e riprenda il lavoro: l’immagine non riuscita viene sostituita.',
  },
  image_provisioned_size_unsupported: {
    meaning: 'L’immagine richiede un volume di avvio più grande del massimo supportato dal servizio.',
    fix: 'Riduca la dimensione virtuale del disco di origine (al massimo 250 GB per VPC e 100 GB per l’infrastruttura classica), poi lo sigilli di nuovo e lo importi in un nuovo lavoro.',
  },
  image_request_in_progress: {
    meaning: 'L’importazione è in corso.',
    fix: 'Attenda; lo stato viene ricontrollato automaticamente.',
  },
  image_request_queued: {
    meaning: 'La richiesta di importazione è stata accettata e attende di iniziare.',
    fix: 'Attenda; lo stato viene ricontrollato automaticamente.',
  },
};
