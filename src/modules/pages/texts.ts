import type { Language } from '../../platform/human-time.js';

/** Every word of the crew's pages, per language: templates hold markup only, never a sentence. */
const en = {
  app: 'Coulisses Crew',
  otherLanguage: { code: 'fr', label: 'Français' },
  roles: { owner: 'owner', admin: 'admin', manager: 'manager', tech: 'crew' } as Record<string, string>,
  invitation: {
    title: (org: string) => `Invitation from ${org}`,
    when: 'When',
    role: 'Role',
    location: 'Where',
    notes: 'Notes',
    manager: 'Your contact',
    status: {
      INVITED: 'Waiting for your answer.',
      ACCEPTED: 'You accepted. See you there!',
      DECLINED: 'You declined this mission.',
      CANCELLED: 'This mission was cancelled by the organiser: you are no longer expected.',
    },
    justAccepted: 'Thank you: your acceptance is recorded.',
    justDeclined: 'Your answer is recorded: you declined.',
    accept: 'Accept',
    decline: 'Decline',
    reason: 'Reason (optional)',
    reasonHint: 'Seen only by the organiser.',
    addToCalendar: 'Add to my calendar (.ics)',
    expires: (when: string) => `This link works until ${when}.`,
    refusals: {
      role_full: 'This role is already full: the organiser will get back to you.',
      conflict: 'You cannot accept: this mission clashes with other work or rest rules.',
      rule_violation: 'You cannot accept: this mission clashes with other work or rest rules.',
      invalid_transition: 'This invitation can no longer be answered that way.',
      mission_started: 'The mission has already started.',
      project_archived: 'This project is closed.',
      other: 'Your answer could not be recorded. Contact the organiser.',
    } as Record<string, string> & { other: string },
  },
  dead: {
    title: 'This link no longer works',
    body:
      'It may have expired, been replaced by a newer link, or been revoked. ' +
      'Ask the person who sent it for a new one.',
  },
  join: {
    title: (org: string) => `Join ${org}`,
    intro: (email: string, role: string) => `This invitation is for ${email}, with the ${role} role.`,
    newAccount: 'Choose a password to create your account.',
    existingAccount: 'An account exists for this email: enter its password to join.',
    password: 'Password',
    passwordHint: 'At least 8 characters; not a common password.',
    confirm: 'Password again',
    submit: 'Join',
    done: (org: string) => `You are now a member of ${org}. Log in to the app with your email and password.`,
    deadBody: 'This invitation is invalid, expired or already used. Ask for a new one.',
  },
  reset: {
    title: 'Choose a new password',
    password: 'New password',
    confirm: 'New password again',
    submit: 'Save the new password',
    done: 'Your password is changed. Log in again with it on all your devices.',
    deadBody: 'This reset link is invalid, expired or already used. Ask for a new one from the login screen.',
  },
  errors: {
    mismatch: 'The two passwords differ.',
    wrongPassword: 'Wrong password.',
    crossSite: 'This form must be sent from this page. Open the link again and retry.',
    rateLimited: 'Too many attempts. Wait a minute and retry.',
    notFound: 'Page not found.',
    generic: 'Something went wrong. Please retry.',
    refused: 'This could not be done:',
  },
};

export type Texts = typeof en;

const fr: Texts = {
  app: 'Coulisses Crew',
  otherLanguage: { code: 'en', label: 'English' },
  roles: { owner: 'propriétaire', admin: 'administrateur', manager: 'responsable', tech: 'équipe technique' },
  invitation: {
    title: (org) => `Invitation de ${org}`,
    when: 'Quand',
    role: 'Poste',
    location: 'Où',
    notes: 'Notes',
    manager: 'Votre contact',
    status: {
      INVITED: 'En attente de votre réponse.',
      ACCEPTED: 'Vous avez accepté. À bientôt !',
      DECLINED: 'Vous avez décliné cette mission.',
      CANCELLED: 'Cette mission a été annulée par l’organisateur : vous n’êtes plus attendu·e.',
    },
    justAccepted: 'Merci : votre acceptation est enregistrée.',
    justDeclined: 'Votre réponse est enregistrée : vous avez décliné.',
    accept: 'Accepter',
    decline: 'Décliner',
    reason: 'Motif (facultatif)',
    reasonHint: 'Visible seulement par l’organisateur.',
    addToCalendar: 'Ajouter à mon agenda (.ics)',
    expires: (when) => `Ce lien fonctionne jusqu’au ${when}.`,
    refusals: {
      role_full: 'Ce poste est déjà complet : l’organisateur reviendra vers vous.',
      conflict: 'Impossible d’accepter : cette mission entre en conflit avec un autre travail ou le repos.',
      rule_violation:
        'Impossible d’accepter : cette mission entre en conflit avec un autre travail ou le repos.',
      invalid_transition: 'Cette invitation ne peut plus recevoir cette réponse.',
      mission_started: 'La mission a déjà commencé.',
      project_archived: 'Ce projet est clos.',
      other: 'Votre réponse n’a pas pu être enregistrée. Contactez l’organisateur.',
    },
  },
  dead: {
    title: 'Ce lien ne fonctionne plus',
    body:
      'Il a peut-être expiré, été remplacé par un lien plus récent ou été révoqué. ' +
      'Demandez-en un nouveau à la personne qui vous l’a envoyé.',
  },
  join: {
    title: (org) => `Rejoindre ${org}`,
    intro: (email, role) => `Cette invitation est pour ${email}, avec le rôle ${role}.`,
    newAccount: 'Choisissez un mot de passe pour créer votre compte.',
    existingAccount: 'Un compte existe pour cet e-mail : saisissez son mot de passe pour rejoindre.',
    password: 'Mot de passe',
    passwordHint: 'Au moins 8 caractères ; pas un mot de passe courant.',
    confirm: 'Mot de passe (encore)',
    submit: 'Rejoindre',
    done: (org) =>
      `Vous êtes maintenant membre de ${org}. Connectez-vous à l’application avec votre e-mail et votre mot de passe.`,
    deadBody: 'Cette invitation est invalide, expirée ou déjà utilisée. Demandez-en une nouvelle.',
  },
  reset: {
    title: 'Choisir un nouveau mot de passe',
    password: 'Nouveau mot de passe',
    confirm: 'Nouveau mot de passe (encore)',
    submit: 'Enregistrer le mot de passe',
    done: 'Votre mot de passe est changé. Reconnectez-vous avec lui sur tous vos appareils.',
    deadBody:
      'Ce lien de réinitialisation est invalide, expiré ou déjà utilisé. Demandez-en un nouveau depuis l’écran de connexion.',
  },
  errors: {
    mismatch: 'Les deux mots de passe diffèrent.',
    wrongPassword: 'Mot de passe incorrect.',
    crossSite: 'Ce formulaire doit être envoyé depuis cette page. Rouvrez le lien et réessayez.',
    rateLimited: 'Trop de tentatives. Attendez une minute et réessayez.',
    notFound: 'Page introuvable.',
    generic: 'Une erreur est survenue. Veuillez réessayer.',
    refused: 'Impossible :',
  },
};

export const TEXTS: Record<Language, Texts> = { en, fr };
