skip-to-content = Naar de inhoud
nav-main = Hoofdmenu
nav-login = Inloggen
footer-text = icbt — begeleide online behandeling bij chronische pijn en chronische vermoeidheid.

home-title = Begeleide online behandeling bij pijn en vermoeidheid
home-lead = Met icbt werk je in je eigen tempo door een korte cognitieve gedragstherapie, terwijl je eigen behandelaar meeleest en terugschrijft.
home-login = Inloggen
home-who = Voor wie icbt is
home-patients-title = Voor patiënten
home-patients-text = Korte teksten, kleine opdrachten en dagboeken, in stukjes die passen bij je energie. Je werk wordt steeds bewaard en je behandelaar antwoordt in een beveiligde inbox.
home-therapists-title = Voor behandelaars
home-therapists-text = Eén overzicht van wat elke patiënt deed sinds je laatste feedback, in plaats van een e-mail voor elk dagboekbericht.
home-managers-title = Voor managers
home-managers-text = Cijfers over bereik, feedback op tijd en resultaten, zodat je instelling ziet dat de behandeling werkt.
home-invite-note = Je krijgt een account van je instelling: je behandelaar stuurt je na de intake een uitnodiging.

error-not-found-help = De pagina is misschien verplaatst, of je hebt er geen toegang toe.
error-server-help = Probeer het over een moment opnieuw. Blijft het gebeuren, neem dan contact op met je instelling.
error-back-home = Terug naar de startpagina

autosave-saved = Je antwoorden zijn bewaard als concept.
autosave-not-saved = Je antwoorden konden nu niet worden bewaard; ze staan nog op deze pagina.
mail-greeting = Hallo {$name},
mail-greeting-anonymous = Hallo,
mail-invitation-subject = Je icbt-account
mail-invitation-body = {$clinic} heeft een icbt-account voor je gemaakt. Open deze link om je wachtwoord te kiezen:
mail-link-valid-days = De link werkt één keer en blijft {$days} dagen geldig.
mail-ignore = Verwachtte je dit bericht niet, dan kun je het negeren.
mail-reset-subject = Stel je icbt-wachtwoord opnieuw in
mail-reset-body = Iemand vroeg om het wachtwoord van je icbt-account opnieuw in te stellen. Open deze link om een nieuw wachtwoord te kiezen:
mail-link-valid-hours = De link werkt één keer en blijft {$hours} uur geldig.
mail-reset-ignore = Vroeg je hier niet om, negeer dan dit bericht: je wachtwoord blijft hetzelfde.

nav-admin = Instellingen
nav-outbox = Uitgaande mail
nav-audit = Auditlog
nav-account = Account
nav-logout = Uitloggen

save = Opslaan
search = Zoeken
form-has-errors = Sommige velden hebben aandacht nodig; zie de meldingen hieronder.
back-to-login = Terug naar inloggen
field-email = E-mailadres
field-password = Wachtwoord
field-new-password = Nieuw wachtwoord
field-current-password = Huidig wachtwoord
field-code = Code van zes cijfers
field-name = Naam
field-role = Rol
field-team = Team
field-from = Van
field-to = Tot en met
password-hint = Minstens 12 tekens. Een paar losse woorden maken een sterk wachtwoord dat je makkelijk onthoudt.
role-patient = Patiënt
role-therapist = Behandelaar
role-manager = Manager
role-admin = Beheerder

login-title = Inloggen
login-failed = Het e-mailadres of wachtwoord klopt niet.
login-submit = Inloggen
login-forgot = Wachtwoord vergeten?
code-title = Vul je code in
code-intro = Open je authenticator-app en vul de code van zes cijfers voor icbt in.
code-submit = Verder
code-recovery-hint = Telefoon kwijt? Vul dan een van je herstelcodes in.
setup-title = Tweestapsinloggen instellen
setup-required = Je instelling vraagt medewerkers om tweestapsinloggen. Stel het nu in om verder te gaan.
setup-step-app = Installeer een authenticator-app op je telefoon (bijvoorbeeld FreeOTP, Aegis of Google Authenticator).
setup-step-scan = Scan deze code met de app, of typ de sleutel hieronder over.
setup-key = Sleutel:
setup-step-code = Vul de code van zes cijfers uit de app in
setup-submit = Tweestapsinloggen aanzetten
recovery-title = Je herstelcodes
recovery-enabled = Tweestapsinloggen staat aan.
recovery-intro = Bewaar deze codes op een veilige plek. Met elke code kun je één keer inloggen als je je telefoon kwijt bent. Je ziet ze alleen nu.
recovery-continue = Ik heb ze bewaard; verder
invitation-title = Welkom, {$name}
invitation-title-anonymous = Welkom bij icbt
invitation-intro = Kies een wachtwoord voor je icbt-account. Daarmee log je samen met je e-mailadres in.
set-password-title = Kies een nieuw wachtwoord
set-password-submit = Wachtwoord opslaan
forgot-title = Wachtwoord vergeten?
forgot-intro = Vul je e-mailadres in. Hoort het bij een account, dan sturen we een link om een nieuw wachtwoord te kiezen.
forgot-submit = Stuur de link
forgot-sent = Hoort dit adres bij een account, dan is er een link onderweg. Kijk in je inbox; de link werkt korte tijd.

account-title = Je account
account-language = Taal
account-language-label = Taal van icbt
account-password = Wachtwoord
account-change-password = Wachtwoord wijzigen
account-password-changed = Je wachtwoord is gewijzigd. Andere apparaten zijn uitgelogd.
account-2fa = Tweestapsinloggen
account-2fa-on = Tweestapsinloggen staat aan. Vraag je beheerder om hulp als je je telefoon en herstelcodes kwijt bent.
account-2fa-off = Tweestapsinloggen staat uit. Zet het aan om de dossiers waarmee je werkt te beschermen.
account-2fa-setup = Tweestapsinloggen instellen
account-sessions = Waar je bent ingelogd
account-end-all = Overal uitloggen
session-started = Begonnen
session-last-seen = Laatst actief
session-device = Apparaat
session-this = dit apparaat

admin-clinics = Instellingen
admin-no-clinics = Nog geen instellingen.
admin-new-clinic = Nieuwe instelling
admin-create-clinic = Instelling aanmaken
admin-2fa-required = tweestapsinloggen verplicht
admin-security = Beveiliging
admin-require-2fa = Medewerkers van deze instelling moeten tweestapsinloggen gebruiken
admin-staff = Medewerkers
admin-no-staff = Nog geen medewerkers. Nodig hieronder de eerste behandelaar uit.
admin-status = Status
admin-actions = Acties
admin-active = actief
admin-invited = uitgenodigd
admin-deactivated = gedeactiveerd
admin-change-role = Wijzigen
admin-deactivate = Deactiveren
admin-reactivate = Opnieuw activeren
admin-reset-2fa = Tweestapsinloggen resetten
admin-reinvite = Uitnodiging opnieuw sturen
admin-invite = Een behandelaar of manager uitnodigen
admin-send-invitation = Uitnodiging sturen
admin-teams = Teams
admin-new-team = Naam van het nieuwe team
admin-create-team = Team toevoegen
admin-done-team-created = Het team is toegevoegd.
admin-done-settings-saved = De instellingen zijn opgeslagen.
admin-done-invited = De uitnodiging is onderweg.
admin-done-role-changed = De rol is gewijzigd; de medewerker logt opnieuw in.
admin-done-deactivated = Het account is gedeactiveerd en overal uitgelogd.
admin-done-reactivated = Het account is weer actief.
admin-done-totp-reset = Tweestapsinloggen is gereset; de medewerker stelt het bij de volgende keer inloggen opnieuw in.

audit-action = Actie
audit-actor = Wie
audit-target = Dossier
audit-when = Wanneer
audit-detail = Detail
audit-none = Niets past bij deze filters.
audit-limit = De nieuwste {$limit} passende regels worden getoond.

outbox-all = Alles
outbox-pending = Wachtend
outbox-dead = Mislukt
outbox-sent = Verstuurd
outbox-created = Aangemaakt
outbox-kind = Soort
outbox-to = Aan
outbox-attempts = Pogingen
outbox-error = Laatste fout
outbox-retry = Opnieuw proberen
outbox-none = Geen berichten.

mailbox-title = Ontwikkel-mailbox
mailbox-intro = Tijdens ontwikkeling wordt e-mail hier bewaard in plaats van verstuurd.
mailbox-empty = Nog geen berichten.

nav-home = Start
nav-program = Mijn programma
nav-questionnaires = Vragenlijsten
nav-messages = Berichten
nav-my-data = Mijn gegevens
done = klaar
to-do = nog doen
date = Datum
today = Vandaag
yesterday = Gisteren
score = Score
meaning = Wat het betekent
questionnaire = Vragenlijst
back-home = Terug naar je startpagina
minutes = { $minutes ->
    [one] ongeveer 1 minuut
   *[other] ongeveer { $minutes } minuten
}
module-number = Module { $number }
module-locked = nog niet open
module-open = open
module-completed = afgerond
module-skipped = overgeslagen
kind-page = lezen
kind-assignment = opdracht
kind-diary = dagboek

home-patient-title = Start
home-patient-hello = Fijn dat je er weer bent
home-next-step = Je volgende stap
home-continue = Ga verder met module { $number }, { $module }
home-finished = Je hebt alle modules afgerond. Goed gedaan! Je behandelaar praat met je over wat er nu komt.
home-waiting = Er is nu niets nieuws. Je behandelaar zet samen met jou de volgende module open.
home-diaries-today = Je dagboeken voor vandaag
home-unread = { $count ->
    [one] Je hebt 1 nieuw bericht van je behandelaar
   *[other] Je hebt { $count } nieuwe berichten van je behandelaar
}
home-no-unread = Geen nieuwe berichten.
home-write = Schrijf je behandelaar
home-due = { $count ->
    [one] Er staat 1 vragenlijst voor je klaar
   *[other] Er staan { $count } vragenlijsten voor je klaar
}
home-none-due = Je hoeft nu niets in te vullen.
home-progress = Je hebt { $finished } van de { $total } modules afgerond.
home-see-program = Bekijk alle modules

page-mark-done = Ik heb dit gelezen
page-done = Je hebt deze pagina gelezen.
audio-unsupported = Je browser kan dit geluid niet afspelen.
audio-download = Download het geluid
audio-transcript = Lees de tekst van de oefening

assignment-send = Stuur naar mijn behandelaar
assignment-save-draft = Bewaar voor later
assignment-done = Je hebt deze opdracht verstuurd. Je kunt je antwoorden nog aanpassen en opnieuw versturen.
saved-draft = Bewaard. Je kunt later verder.
saved-submitted = Verstuurd. Je behandelaar gaat het lezen.
saved-entry = Je dagboek is bewaard.

diary-which-day = Voor welke dag is dit?
diary-save = Dagboek opslaan
diary-last-days = De laatste 14 dagen
diary-entry = Wat je invulde
chart-desc = Je scores van { $from } tot en met { $to }; elke stip is één dag.

questionnaires-due = In te vullen
questionnaires-my-scores = Je scores door de tijd
questionnaires-no-scores = Je hebt nog geen vragenlijst ingevuld.
questionnaire-answer-all = Beantwoord alle vragen. De vragen die nog open zijn, zijn gemarkeerd.
questionnaire-send = Stuur mijn antwoorden
questionnaire-thanks = Bedankt voor het invullen
questionnaire-your-score = Je score is { $score } van de { $max }.
questionnaire-risk-note = Je gaf aan dat je denkt dat je beter dood kunt zijn, of dat je denkt aan jezelf pijn doen. Je behandelaar neemt snel contact met je op. Heb je nu meteen hulp nodig? Bel dan je huisarts of het alarmnummer 112. Je kunt ook bellen met 113 Zelfmoordpreventie: 0800-0113.
questionnaire-back = Terug naar vragenlijsten

messages-you = Jij
messages-therapist = Je behandelaar
messages-feedback = feedback
messages-none = Nog geen berichten. Je kunt hieronder je behandelaar schrijven.
messages-write = Je bericht
messages-hint = Je behandelaar leest berichten op werkdagen. Bel bij nood je huisarts of 112.
messages-send = Versturen

data-what-title = Wat icbt bewaart
data-what = Je account (e-mailadres en taal), je behandelprogramma en je voortgang, de opdrachten, dagboeken en vragenlijsten die je invult, en de berichten tussen jou en je behandelaar.
data-who-title = Wie het ziet
data-who = Alleen je eigen behandelaar ziet je antwoorden, dagboeken en berichten. Andere medewerkers van je instelling zien alleen cijfers zonder je naam, zoals hoeveel patiënten een module hebben afgerond.
data-figures-title = Cijfers over de behandeling
data-figures = icbt telt bijvoorbeeld hoe vaak pagina's bekeken worden en hoeveel modules afgerond zijn. Zo zien we of de behandeling gebruikt wordt en helpt. Bij het tellen gebruiken we een code in plaats van je naam. Wat je schreef, zit er nooit in.
data-mail-title = E-mail
data-mail = E-mails van icbt bevatten nooit wat je schreef. Er staat alleen in dat er iets nieuws is, met een link om in te loggen.
data-download = Download al mijn gegevens (JSON)

nav-caseload = Cliënten
caseload-intro = Je cliënten, wie het meest aandacht nodig heeft eerst. Aantallen tellen vanaf je laatste feedback.
caseload-patient = Cliënt
caseload-attention = Heeft aandacht nodig
caseload-new = Nieuw sinds feedback
caseload-feedback-due = Feedback op
caseload-module = Huidige module
caseload-last-active = Laatst actief
caseload-risk = Risico
caseload-overdue = feedback te laat
caseload-messages = { $count ->
    [one] 1 onbeantwoord bericht
   *[other] { $count } onbeantwoorde berichten
}
caseload-inactive = niet actief
caseload-counts = { $diaries } dagboek, { $submissions } opdrachten, { $questionnaires } vragenlijsten
caseload-empty = Je hebt nog geen cliënten.
status-invited = uitgenodigd, nog niet begonnen
status-active = actief
status-paused = gepauzeerd
status-completed = afgerond
status-dropped_out = gestopt
status-stepped_up = doorverwezen naar face-to-face

record-cadence-weekly = wekelijkse feedback
record-cadence-fortnightly = feedback om de twee weken
record-since-feedback = Sinds je laatste feedback
record-everything = Alles, nieuwste eerst
record-nothing-new = Niets nieuws sinds je laatste feedback.
record-show-all = Toon alles
record-new = nieuw
record-kind-diary = dagboek
record-kind-assignment = opdracht
record-kind-questionnaire = vragenlijst
record-kind-message = bericht van de cliënt
record-kind-sent = jouw bericht
record-kind-page = tekst gelezen
record-feedback = Feedback schrijven
record-feedback-label = Je feedback
record-feedback-hint = Kort en warm werkt het best: noem één ding dat de cliënt deed, en één kleine volgende stap.
record-preview = Zo ziet de cliënt het:
record-preview-button = Voorbeeld
record-send = Feedback versturen
record-modules = Modules
record-open = Openen
record-lock = Op slot
record-skip = Overslaan

enroll-title = Een cliënt aanmelden
enroll-done = De cliënt is aangemeld en de uitnodiging is per e-mail onderweg. Je kunt de cliënt ook deze link geven:
enroll-open-record = Het dossier openen
enroll-name = Voornaam (niet verplicht)
enroll-name-hint = Alleen om de cliënt te begroeten in e-mails en op het scherm.
enroll-case-code = Dossiercode
enroll-case-code-hint = De code van je instelling voor deze behandeling; geen naam. Medewerkers zien deze code in plaats van de naam.
enroll-program = Programma
enroll-cadence = Feedback
enroll-weekday = Feedbackdag
enroll-auto-unlock = De volgende module openen als de cliënt er een afrondt
enroll-submit = Aanmelden en uitnodiging sturen
weekday-mon = maandag
weekday-tue = dinsdag
weekday-wed = woensdag
weekday-thu = donderdag
weekday-fri = vrijdag
weekday-sat = zaterdag
weekday-sun = zondag
record-treatment = Behandeling
record-not-started = De cliënt heeft de uitnodiging nog niet geaccepteerd.
record-status = Status
record-reason = Reden (nodig bij gestopt en doorverwezen)

record-contact = Een contact vastleggen
record-contact-kind = Soort contact
record-contact-minutes = Duur in minuten
record-contact-note = Notitie (niet verplicht, voor jezelf)
record-contact-save = Contact opslaan
record-kind-contact = contact
contact-face_to_face = face-to-face
contact-phone = telefoon
contact-video = videogesprek
record-hidden = verborgen
record-hide-item = Verbergen voor deze cliënt
record-show-item = Weer tonen
record-snippets = Een tekstblok toevoegen
record-manage-snippets = Je tekstblokken
snippets-title = Tekstblokken voor feedback
snippets-intro = Korte teksten om mee te beginnen. { "{first_name}" } en { "{module}" } worden ingevuld voor de cliënt als je een tekstblok gebruikt.
snippets-none = Nog geen tekstblokken.
snippets-new = Nieuw tekstblok
snippets-field-title = Titel
snippets-field-body = Tekst
snippets-shared = Delen met mijn instelling
snippets-shared-badge = gedeeld
snippets-delete = Verwijderen
snippets-save = Tekstblok opslaan
