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
};
