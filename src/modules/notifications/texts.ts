import type { Language } from '../../platform/human-time.js';

/**
 * Every word a crew-facing mail says, per language, in one place. The templates (templates/mail/*.eta) lay
 * these out; compose.ts picks them. Placeholders are plain function arguments.
 */
export interface Texts {
  hello: (name: string | null) => string;
  labels: {
    mission: string;
    role: string;
    date: string;
    callTime: string;
    location: string;
    notes: string;
    contact: string;
    project: string;
  };
  fields: { starts_at: string; ends_at: string; location: string; notes: string; title: string };
  none: string;
  invitation: {
    subject: (title: string, date: string) => string;
    subjectMany: (count: number, org: string) => string;
    intro: (org: string, count: number) => string;
    answer: string;
    app: (url: string, email: string) => string;
  };
  changed: { subject: (title: string, date: string) => string; intro: (title: string) => string };
  cancelled: {
    subject: (title: string, date: string) => string;
    intro: (title: string) => string;
    missionDeleted: string;
    reason: (reason: string) => string;
  };
  response: {
    subject: (name: string, accepted: boolean, title: string) => string;
    intro: (name: string, accepted: boolean) => string;
    reason: (reason: string) => string;
  };
  reminder: {
    subject: (title: string, when: string) => string;
    intro: (when: string) => string;
    unsubscribe: string;
  };
  orgInvitation: {
    subject: (org: string) => string;
    intro: (org: string, role: string, by: string | null) => string;
    action: string;
    validity: string;
  };
  passwordReset: { subject: string; intro: string; action: string; validity: string };
  footer: (org: string | null) => string;
  unsubscribePage: { title: string; question: string; confirm: string; done: string; invalid: string };
}

export const TEXTS: Record<Language, Texts> = {
  fr: {
    hello: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    labels: {
      mission: 'Mission',
      role: 'Poste',
      date: 'Date',
      callTime: 'Convocation',
      location: 'Lieu',
      notes: 'Notes',
      contact: 'Contact',
      project: 'Production',
    },
    fields: { starts_at: 'Début', ends_at: 'Fin', location: 'Lieu', notes: 'Notes', title: 'Intitulé' },
    none: '(aucun)',
    invitation: {
      subject: (title, date) => `Invitation : ${title} – ${date}`,
      subjectMany: (count, org) => `${count} invitations de ${org}`,
      intro: (org, count) =>
        count === 1 ? `${org} vous propose une mission.` : `${org} vous propose ${count} missions.`,
      answer: 'Accepter ou refuser',
      app: (url, email) =>
        `Vous pouvez aussi répondre dans l’application Coulisses Crew (${url}), connecté·e avec ${email}.`,
    },
    changed: {
      subject: (title, date) => `Changement : ${title} – ${date}`,
      intro: (title) => `La mission « ${title} » a changé :`,
    },
    cancelled: {
      subject: (title, date) => `Annulé : ${title} – ${date}`,
      intro: (title) => `Votre participation à « ${title} » est annulée.`,
      missionDeleted: 'La mission a été supprimée.',
      reason: (reason) => `Motif : ${reason}`,
    },
    response: {
      subject: (name, accepted, title) => `${name} a ${accepted ? 'accepté' : 'refusé'} : ${title}`,
      intro: (name, accepted) => `${name} a ${accepted ? 'accepté' : 'refusé'} la mission.`,
      reason: (reason) => `Motif : ${reason}`,
    },
    reminder: {
      subject: (title, when) => `Rappel : ${title} – ${when}`,
      intro: (when) => `Rappel : vous travaillez ${when}.`,
      unsubscribe: 'Ne plus recevoir de rappels',
    },
    orgInvitation: {
      subject: (org) => `Invitation à rejoindre ${org} sur Coulisses Crew`,
      intro: (org, role, by) =>
        `${by ? `${by} vous invite` : 'Vous êtes invité·e'} à rejoindre ${org} (rôle : ${role}).`,
      action: 'Rejoindre',
      validity: 'Le lien est valable 7 jours, une seule fois.',
    },
    passwordReset: {
      subject: 'Réinitialiser votre mot de passe Coulisses Crew',
      intro: 'Quelqu’un a demandé à réinitialiser le mot de passe de ce compte.',
      action: 'Choisir un nouveau mot de passe',
      validity:
        'Le lien est valable 30 minutes, une seule fois. Si vous n’avez rien demandé, ignorez ce message.',
    },
    footer: (org) => `Envoyé par Coulisses Crew${org ? ` pour ${org}` : ''}.`,
    unsubscribePage: {
      title: 'Rappels',
      question:
        'Ne plus recevoir les rappels avant vos missions ? Les invitations et les changements continueront d’arriver.',
      confirm: 'Ne plus recevoir de rappels',
      done: 'C’est fait : vous ne recevrez plus de rappels.',
      invalid: 'Ce lien n’est pas valable.',
    },
  },
  en: {
    hello: (name) => (name ? `Hello ${name},` : 'Hello,'),
    labels: {
      mission: 'Mission',
      role: 'Role',
      date: 'Date',
      callTime: 'Call time',
      location: 'Location',
      notes: 'Notes',
      contact: 'Contact',
      project: 'Production',
    },
    fields: { starts_at: 'Start', ends_at: 'End', location: 'Location', notes: 'Notes', title: 'Title' },
    none: '(none)',
    invitation: {
      subject: (title, date) => `Invitation: ${title} – ${date}`,
      subjectMany: (count, org) => `${count} invitations from ${org}`,
      intro: (org, count) =>
        count === 1 ? `${org} offers you a mission.` : `${org} offers you ${count} missions.`,
      answer: 'Accept or decline',
      app: (url, email) => `You can also answer in the Coulisses Crew app (${url}), logged in as ${email}.`,
    },
    changed: {
      subject: (title, date) => `Changed: ${title} – ${date}`,
      intro: (title) => `The mission “${title}” has changed:`,
    },
    cancelled: {
      subject: (title, date) => `Cancelled: ${title} – ${date}`,
      intro: (title) => `Your part in “${title}” is cancelled.`,
      missionDeleted: 'The mission was deleted.',
      reason: (reason) => `Reason: ${reason}`,
    },
    response: {
      subject: (name, accepted, title) => `${name} ${accepted ? 'accepted' : 'declined'}: ${title}`,
      intro: (name, accepted) => `${name} ${accepted ? 'accepted' : 'declined'} the mission.`,
      reason: (reason) => `Reason: ${reason}`,
    },
    reminder: {
      subject: (title, when) => `Reminder: ${title} – ${when}`,
      intro: (when) => `A reminder: you are working ${when}.`,
      unsubscribe: 'Stop these reminders',
    },
    orgInvitation: {
      subject: (org) => `You are invited to join ${org} on Coulisses Crew`,
      intro: (org, role, by) => `${by ? `${by} invites you` : 'You are invited'} to join ${org} as ${role}.`,
      action: 'Join',
      validity: 'The link works once, for 7 days.',
    },
    passwordReset: {
      subject: 'Reset your Coulisses Crew password',
      intro: 'Someone asked to reset the password of this account.',
      action: 'Choose a new password',
      validity: 'The link works once, for 30 minutes. If you did not ask, ignore this mail.',
    },
    footer: (org) => `Sent by Coulisses Crew${org ? ` for ${org}` : ''}.`,
    unsubscribePage: {
      title: 'Reminders',
      question: 'Stop the reminders before your missions? Invitations and changes will still reach you.',
      confirm: 'Stop reminders',
      done: 'Done: you will receive no more reminders.',
      invalid: 'This link is not valid.',
    },
  },
};
