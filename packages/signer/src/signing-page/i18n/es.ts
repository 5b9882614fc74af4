import type { Messages } from './index.js';

/** Spanish messages (neutral Spanish, informal "tú" as the accounts pages use). */
export const es: Messages = {
  brand: 'Signet',
  problems: {
    unknown: {
      title: 'No encontramos este enlace de firma',
      lead: 'Este enlace de firma no es válido. Comprueba que has abierto el enlace completo de tu mensaje.',
    },
    expired: {
      title: 'Este enlace de firma ha caducado',
      lead: 'Se acabó el plazo para firmar estos documentos. Pide uno nuevo a la persona que te lo envió.',
    },
    used: {
      title: 'Este enlace de firma ya se ha usado',
      lead: 'Ya firmaste o rechazaste los documentos con este enlace. Cada enlace sirve una sola vez.',
    },
    canceled: {
      title: 'Esta solicitud de firma se canceló',
      lead: 'El remitente la canceló, así que estos documentos ya no se pueden firmar. No tienes que hacer nada más.',
    },
    rejected: {
      title: 'Esta solicitud de firma fue rechazada',
      lead: 'Otra persona firmante se negó a firmar, así que la solicitud terminó y estos documentos ya no se pueden firmar.',
    },
    completed: {
      title: 'Esta solicitud de firma está completa',
      lead: 'Ya se aplicaron todas las firmas. No tienes que hacer nada más.',
    },
    replaced: {
      title: 'Te enviamos un enlace de firma más reciente',
      lead: 'Este enlace se sustituyó y ya no funciona. Usa el enlace del mensaje más reciente que recibiste.',
    },
    closed: {
      title: 'La solicitud cambió mientras decidías',
      lead: 'Este paso no firmó nada. Vuelve a abrir tu enlace de firma para ver en qué punto está.',
    },
    waiting: {
      title: 'Otra persona firma antes',
      lead: 'Otra persona tiene que firmar estos documentos antes que tú. Vuelve a abrir tu enlace de firma más tarde.',
    },
    signInFailed: {
      title: 'No se completó el inicio de sesión',
      lead: 'No pudimos confirmar quién eres. Vuelve a abrir tu enlace de firma para intentarlo de nuevo.',
    },
    wrongPerson: {
      title: 'Este enlace es para otra persona',
      lead: 'Has iniciado sesión con una cuenta cuyo correo electrónico no es al que se envió este enlace.',
    },
    sessionOver: {
      title: 'Tu sesión de firma ha terminado',
      lead: 'Por tu seguridad dura unos minutos. Vuelve a abrir tu enlace de firma para continuar.',
    },
    forbidden: {
      title: 'Solicitud rechazada',
      lead: 'El formulario estaba incompleto o caducado. Vuelve atrás, recarga la página e inténtalo de nuevo.',
    },
    reasonRequired: {
      title: 'Hace falta un motivo',
      lead: 'Para rechazar los documentos, vuelve atrás y escribe por qué.',
    },
    unexpected: {
      title: 'Algo salió mal',
      lead: 'No se ha firmado nada. Inténtalo de nuevo dentro de un momento.',
    },
    help: 'Si necesitas ayuda, ponte en contacto con quien te envió los documentos.',
  },
  sign: {
    title: 'Revisa y firma',
    lead: 'Hola, {name}. Lee los documentos antes de decidir.',
    documents: 'Documentos para firmar: {count}',
    document: 'Documento: {name}',
    loading: 'Cargando el documento…',
    renderFailed: 'Este documento no se puede mostrar aquí. Ábrelo para leerlo.',
    open: 'Abrir el PDF',
    needsScript: 'Tu navegador no puede mostrar los documentos aquí. Abre cada PDF para leerlo.',
    consent: 'Al pulsar Firmar, firmas estos documentos electrónicamente con tu identidad verificada.',
    signButton: 'Firmar',
    rejectHeading: '¿No quieres firmar?',
    reasonLabel: 'Motivo del rechazo',
    reasonHint: 'El remitente verá este motivo.',
    rejectButton: 'Rechazar',
  },
  signed: {
    title: 'Firmado',
    lead: 'Gracias. Tu firma se ha añadido a los documentos.',
    download: 'Descargar {name}',
    pending: 'Los documentos firmados estarán disponibles cuando estén listos.',
  },
  rejected: {
    title: 'Rechazado',
    lead: 'Has rechazado los documentos. Se ha avisado al remitente.',
    reason: 'Tu motivo: {reason}',
  },
  certificate: {
    title: 'Certificado de finalización',
    issued: 'Emitido el {time} por {organization}.',
    timeZone: 'Las horas están en la zona horaria {zone}; cada una indica su diferencia con UTC.',
    sealNote:
      'Este certificado lleva el sello electrónico «{seal}». Ábrelo en un lector de PDF para comprobar que no ha cambiado desde entonces.',
    page: 'Página {page} de {pages}',
    sealReason: 'Certificado de finalización',
    envelope: {
      heading: 'Sobre',
      reference: 'Referencia',
      status: 'Estado',
      reason: 'Motivo',
      requestedBy: 'Solicitado por',
      requesterReference: 'Referencia del solicitante',
      created: 'Creado',
      expires: 'Caduca',
      finished: 'Finalizado',
      never: 'Nunca',
    },
    statuses: {
      in_progress: 'En curso',
      completed: 'Completado',
      rejected: 'Rechazado',
      canceled: 'Cancelado',
      expired: 'Caducado',
    },
    documents: {
      heading: 'Documentos',
      pages: { one: '1 página', other: '{count} páginas' },
      signatures: { one: '1 firma', other: '{count} firmas' },
      uploadedHash: 'Huella SHA-256 tal como se subió:',
    },
    signers: {
      heading: 'Firmantes',
      signed: 'Firmó el {time}',
      pending: 'No ha firmado',
      rejected: 'Rechazó',
      byIdToken: 'identidad verificada con un token de identidad',
      byInvitation: 'invitación enviada a {email}; identidad verificada en la página de firma',
    },
    events: {
      heading: 'Historial',
      ip: 'Dirección IP {ip}',
      userAgent: 'Cliente: {userAgent}',
      reason: 'Motivo: «{reason}»',
      signedHash: 'Huella SHA-256 del documento firmado:',
      created: '{actor} creó el sobre con {documents} para {signers}.',
      documents: { one: '1 documento', other: '{count} documentos' },
      signers: { one: '1 firmante', other: '{count} firmantes' },
      identifiedByIdToken:
        'Se verificó la identidad de {name} con un token de identidad (nivel de autenticación {acr}, inicio de sesión el {time}).',
      identifiedByInvitation:
        'Se verificó la identidad de {name} en la página de firma como la persona invitada en {email}.',
      invited: '{actor} invitó a {name} ({email}) a firmar; el enlace caduca el {time}.',
      invitedNoExpiry: '{actor} invitó a {name} ({email}) a firmar.',
      opened: '{name} abrió el enlace de firma.',
      resent: '{actor} envió a {name} un enlace de firma nuevo; el anterior ya no funciona.',
      emailSent: 'El servidor de correo aceptó el correo de {kind} para {email}.',
      emailFailed: 'No se pudo entregar el correo de {kind} para {email}.',
      emailKinds: { invitation: 'invitación', reminder: 'recordatorio', completion: 'firma completada' },
      documentSigned: '{name} firmó «{document}».',
      personSigned: '{name} aplicó todas sus firmas.',
      completed: 'Se aplicaron todas las firmas: el sobre está completado.',
      rejected: '{actor} rechazó el sobre.',
      canceled: '{actor} canceló el sobre.',
      expired: 'El sobre caducó antes de que se aplicaran todas las firmas.',
      downloaded: '{actor} descargó «{document}» ({version}).',
      versions: { current: 'última versión', original: 'tal como se subió' },
      other: 'Evento «{type}».',
    },
    actors: {
      client: 'la integración «{id}»',
      system: 'Signet',
      person: 'un firmante',
    },
  },
};
