import type { Messages } from './index.js';

/** Spanish messages (neutral Spanish, informal "tú" as most consumer apps use). */
export const es: Messages = {
  brand: 'Signet',
  login: {
    title: 'Iniciar sesión',
    lead: '{client} te pide que inicies sesión.',
    username: 'Nombre de usuario',
    password: 'Contraseña',
    submit: 'Iniciar sesión',
    errors: {
      invalid_credentials: 'El nombre de usuario o la contraseña no son correctos.',
      throttled: 'Demasiados intentos. Vuelve a intentarlo dentro de unos minutos.',
      missing_fields: 'Escribe tu nombre de usuario y tu contraseña.',
    },
  },
  consent: {
    title: '¿Permitir el acceso?',
    lead: '{client} quiere acceder a tu cuenta.',
    signedInAs: 'Has iniciado sesión como {user}.',
    scopesIntro: 'Si lo permites, {client} recibirá:',
    allow: 'Permitir',
    deny: 'Rechazar',
    scopes: {
      openid: 'tu identidad (un identificador estable)',
      profile: 'tu nombre, fecha de nacimiento, género, foto, idioma y el documento de identidad registrado',
      birthdate: 'tu fecha de nacimiento',
      credential: 'el documento de identidad registrado (país, emisor, tipo y número)',
      email: 'tu dirección de correo electrónico',
      phone: 'tu número de teléfono',
      address: 'tu dirección postal',
      offline: 'acceso aunque no estés presente (mantiene la sesión iniciada)',
      offline_access: 'acceso aunque no estés presente (mantiene la sesión iniciada)',
      'envelopes:read': 'acceso de lectura a tus sobres de firma (documentos y su estado)',
      'envelopes:write': 'permiso para crear y gestionar sobres de firma en tu nombre',
    },
  },
  error: {
    title: 'Algo salió mal',
    code: 'Código de error',
    help: 'Vuelve a la aplicación e inténtalo de nuevo.',
  },
  logout: {
    title: '¿Cerrar sesión?',
    lead: '¿Quieres cerrar tu sesión de Signet?',
    leadWithClient: '{client} ha pedido cerrar tu sesión de Signet. ¿Quieres cerrarla?',
    submit: 'Cerrar sesión',
  },
  loggedOut: {
    title: 'Has cerrado la sesión',
    lead: 'Ya puedes cerrar esta ventana.',
    leadWithClient: 'Ya puedes cerrar esta ventana o volver a {client}.',
  },
  face: {
    title: 'Confirma que eres tú',
    lead: '{client} te pide que confirmes con tu cara que eres tú.',
    howTo:
      'La cámara te mostrará una vista previa. Mira de frente a la cámara y después haz cada movimiento de la lista cuando se te indique, en orden. Las imágenes se comparan con la cara registrada para ti y no se guardan.',
    challenge: 'Te pediremos que:',
    actions: {
      turn_left: 'gires la cabeza hacia tu izquierda',
      turn_right: 'gires la cabeza hacia tu derecha',
      smile: 'sonrías',
      open_mouth: 'abras bien la boca',
    },
    start: 'Encender la cámara',
    lookStraight: 'Mira de frente a la cámara.',
    prompts: {
      turn_left: 'Ahora gira la cabeza hacia tu izquierda.',
      turn_right: 'Ahora gira la cabeza hacia tu derecha.',
      smile: 'Ahora sonríe.',
      open_mouth: 'Ahora abre bien la boca.',
    },
    sending: 'Comprobando…',
    cameraBlocked:
      'No se pudo encender la cámara. Permite que este sitio use la cámara y vuelve a intentarlo, o elige «No puedo usar una cámara».',
    needsScript: 'Este paso necesita JavaScript y una cámara.',
    attemptsLeft: 'Intentos restantes: {count}.',
    noCamera: 'No puedo usar una cámara',
    errors: {
      unreadable_image: 'No se pudieron leer las imágenes. Vuelve a intentarlo.',
      image_too_large: 'Las imágenes eran demasiado grandes. Vuelve a intentarlo.',
      no_face:
        'No se vio ninguna cara en una imagen. Mantén la cara en el encuadre, con buena luz, y vuelve a intentarlo.',
      multiple_faces: 'Se vio más de una cara. Asegúrate de estar solo en el encuadre y vuelve a intentarlo.',
      incompatible_template: 'Tu cara registrada ya no se puede usar. Pide al servicio que la registre de nuevo.',
      too_few_frames: 'No se tomaron suficientes imágenes. Vuelve a intentarlo.',
      too_many_frames: 'Se enviaron demasiadas imágenes. Vuelve a intentarlo.',
      no_match: 'La cara no coincide con la cara registrada para ti.',
      no_liveness:
        'No se vieron los movimientos pedidos en orden. Haz cada uno con claridad cuando aparezca su indicación y vuelve a intentarlo con los nuevos.',
      bad_timing: 'Las imágenes no se tomaron como una sola captura. Vuelve a intentarlo.',
      expired:
        'Se acabó el tiempo para responder, o estos movimientos ya se respondieron. Vuelve a intentarlo con los nuevos.',
      busy: 'Las comprobaciones de cara están ocupadas. Espera un momento y vuelve a intentarlo.',
    },
  },
  faceEnrol: {
    title: 'Registra tu cara',
    lead: 'Registra tu cara para poder confirmar que eres tú cuando inicies sesión.',
    howTo:
      'La cámara te mostrará una vista previa. Mira de frente a la cámara y después haz cada movimiento de la lista cuando se te indique, en orden. Solo se guarda una descripción de tu cara, nunca las imágenes.',
    doneTitle: 'Tu cara está registrada',
    doneLead: 'A partir de ahora puedes confirmar con tu cara que eres tú. Ya puedes cerrar esta ventana.',
    linkErrorTitle: 'Este enlace no se puede usar',
    linkHelp: 'Pide un enlace nuevo a quien te envió este.',
    linkErrors: {
      unknown: 'Este enlace de registro de cara no es válido. Comprueba que lo abriste completo.',
      expired: 'Este enlace de registro de cara ha caducado.',
      used: 'Este enlace de registro de cara ya se usó.',
      revoked:
        'Este enlace de registro de cara ya no es válido: se emitió uno más reciente o fallaron demasiados intentos.',
      other_browser: 'Este enlace se abrió de nuevo en otro navegador. Vuelve a abrirlo aquí para continuar.',
      form: 'El formulario caducó o no se envió desde esta página. Vuelve a abrir el enlace.',
    },
  },
};
