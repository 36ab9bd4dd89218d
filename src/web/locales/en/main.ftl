skip-to-content = Skip to content
nav-main = Main
nav-login = Log in
footer-text = icbt — guided online treatment for chronic pain and chronic fatigue.

home-title = Guided online treatment for chronic pain and fatigue
home-lead = icbt helps you work through a short cognitive behavioural therapy program at your own pace, with your own therapist reading along and writing back.
home-login = Log in
home-who = Who icbt is for
home-patients-title = For patients
home-patients-text = Short pages, small assignments and daily diaries, in sittings that fit your energy. Your work is saved as you go, and your therapist replies in a secure inbox.
home-therapists-title = For therapists
home-therapists-text = One overview of what each patient did since your last feedback, instead of an e-mail for every diary entry.
home-managers-title = For managers
home-managers-text = Figures on reach, feedback on schedule and outcomes, so your clinic can see the treatment working.
home-invite-note = You get an account from your clinic: your therapist sends you an invitation after your intake.

error-not-found-help = The page may have moved, or you may not have access to it.
error-server-help = Please try again in a moment. If it keeps happening, contact your clinic.
error-back-home = Back to the start page

mail-greeting = Hello {$name},
mail-greeting-anonymous = Hello,
mail-invitation-subject = Your icbt account
mail-invitation-body = {$clinic} has made an icbt account for you. Open this link to choose your password:
mail-link-valid-days = The link works once and stays valid for {$days} days.
mail-ignore = If you did not expect this message, you can ignore it.
mail-reset-subject = Reset your icbt password
mail-reset-body = Someone asked to reset the password of your icbt account. Open this link to choose a new one:
mail-link-valid-hours = The link works once and stays valid for {$hours} hours.
mail-reset-ignore = If you did not ask for this, ignore this message: your password stays the same.

nav-admin = Clinics
nav-outbox = Outbox
nav-audit = Audit log
nav-account = Account
nav-logout = Log out

save = Save
search = Search
form-has-errors = Some fields need attention; see the messages below.
back-to-login = Back to log in
field-email = E-mail address
field-password = Password
field-new-password = New password
field-current-password = Current password
field-code = Six-digit code
field-name = Name
field-role = Role
field-team = Team
field-from = From
field-to = To
password-hint = At least 12 characters. A few unrelated words make a strong password that is easy to remember.
role-patient = Patient
role-therapist = Therapist
role-manager = Manager
role-admin = Administrator

login-title = Log in
login-failed = The e-mail address or password is not right.
login-submit = Log in
login-forgot = Forgot your password?
code-title = Enter your code
code-intro = Open your authenticator app and enter the six-digit code for icbt.
code-submit = Continue
code-recovery-hint = Lost your phone? Enter one of your recovery codes instead.
setup-title = Set up two-step login
setup-required = Your clinic asks staff to use two-step login. Set it up now to continue.
setup-step-app = Install an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator).
setup-step-scan = Scan this code with the app, or type the key below.
setup-key = Key:
setup-step-code = Enter the six-digit code the app shows
setup-submit = Turn on two-step login
recovery-title = Your recovery codes
recovery-enabled = Two-step login is on.
recovery-intro = Keep these codes somewhere safe. Each one lets you log in once if you lose your phone. They are shown only now.
recovery-continue = I have saved them; continue
invitation-title = Welcome, {$name}
invitation-title-anonymous = Welcome to icbt
invitation-intro = Choose a password for your icbt account. You will use it with your e-mail address to log in.
set-password-title = Choose a new password
set-password-submit = Save password
forgot-title = Forgot your password?
forgot-intro = Enter your e-mail address. If it belongs to an account, we send a link to choose a new password.
forgot-submit = Send the link
forgot-sent = If this address belongs to an account, a link is on its way. Check your inbox; the link works for a short time.

account-title = Your account
account-language = Language
account-language-label = Language of icbt
account-password = Password
account-change-password = Change password
account-password-changed = Your password is changed. Other devices are logged out.
account-2fa = Two-step login
account-2fa-on = Two-step login is on. Ask your administrator if you lose your phone and your recovery codes.
account-2fa-off = Two-step login is off. Turn it on to protect the records you work with.
account-2fa-setup = Set up two-step login
account-sessions = Where you are logged in
account-end-all = Log out everywhere
session-started = Started
session-last-seen = Last active
session-device = Device
session-this = this device

admin-clinics = Clinics
admin-no-clinics = No clinics yet.
admin-new-clinic = New clinic
admin-create-clinic = Create clinic
admin-2fa-required = two-step login required
admin-security = Security
admin-require-2fa = Staff of this clinic must use two-step login
admin-staff = Staff
admin-no-staff = No staff yet. Invite the first therapist below.
admin-status = Status
admin-actions = Actions
admin-active = active
admin-invited = invited
admin-deactivated = deactivated
admin-change-role = Change
admin-deactivate = Deactivate
admin-reactivate = Reactivate
admin-reset-2fa = Reset two-step login
admin-reinvite = Send invitation again
admin-invite = Invite a therapist or manager
admin-send-invitation = Send invitation
admin-teams = Teams
admin-new-team = New team name
admin-create-team = Add team
admin-done-team-created = The team is added.
admin-done-settings-saved = The settings are saved.
admin-done-invited = The invitation is on its way.
admin-done-role-changed = The role is changed; the person logs in again.
admin-done-deactivated = The account is deactivated and logged out everywhere.
admin-done-reactivated = The account is active again.
admin-done-totp-reset = Two-step login is reset; the person sets it up again at their next login.

audit-action = Action
audit-actor = Who
audit-target = Record
audit-when = When
audit-detail = Detail
audit-none = Nothing matches these filters.
audit-limit = The newest {$limit} matching entries are shown.

outbox-all = All
outbox-pending = Waiting
outbox-dead = Failed
outbox-sent = Sent
outbox-created = Created
outbox-kind = Kind
outbox-to = To
outbox-attempts = Attempts
outbox-error = Last error
outbox-retry = Retry
outbox-none = No messages.

mailbox-title = Development mailbox
mailbox-intro = In development, e-mail is written here instead of being sent.
mailbox-empty = No messages yet.

nav-home = Home
nav-program = My program
nav-questionnaires = Questionnaires
nav-messages = Messages
nav-my-data = My data
done = done
to-do = to do
date = Date
today = Today
yesterday = Yesterday
score = Score
meaning = What it means
questionnaire = Questionnaire
back-home = Back to your home page
minutes = { $minutes ->
    [one] about 1 minute
   *[other] about { $minutes } minutes
}
module-number = Module { $number }
module-locked = not open yet
module-open = open
module-completed = completed
module-skipped = skipped
kind-page = reading
kind-assignment = assignment
kind-diary = diary

home-patient-title = Home
home-patient-hello = Welcome back
home-next-step = Your next step
home-continue = Continue module { $number }, { $module }
home-finished = You have finished all modules. Well done. Your therapist will talk with you about what comes next.
home-waiting = There is nothing new for now. Your therapist will open the next module with you.
home-diaries-today = Your diaries for today
home-unread = { $count ->
    [one] You have 1 new message from your therapist
   *[other] You have { $count } new messages from your therapist
}
home-no-unread = No new messages.
home-write = Write to your therapist
home-due = { $count ->
    [one] 1 questionnaire is waiting for you
   *[other] { $count } questionnaires are waiting for you
}
home-none-due = Nothing to fill in right now.
home-progress = You have finished { $finished } of { $total } modules.
home-see-program = See all modules

page-mark-done = I have read this
page-done = You have read this page.
audio-unsupported = Your browser cannot play this audio.
audio-download = Download the audio
audio-transcript = Read the text of the exercise

assignment-send = Send to my therapist
assignment-save-draft = Save for later
assignment-done = You have sent this assignment. You can change your answers and send them again.
saved-draft = Saved. You can continue later.
saved-submitted = Sent. Your therapist will read it.
saved-entry = Your diary is saved.
autosave-saved = Your answers are saved as a draft.
autosave-not-saved = Your answers could not be saved just now; they are still on this page.

diary-which-day = Which day is this for?
diary-save = Save diary
diary-last-days = The last 14 days
diary-entry = Your entry
chart-desc = Your scores from { $from } to { $to }; each dot is one day.

questionnaires-due = To fill in
questionnaires-my-scores = Your scores over time
questionnaires-no-scores = You have not filled in a questionnaire yet.
questionnaire-answer-all = Please answer every question; the ones still open are marked.
questionnaire-send = Send my answers
questionnaire-thanks = Thank you for filling this in
questionnaire-your-score = Your score is { $score } out of { $max }.
questionnaire-risk-note = You told us you have thoughts of being better off dead or of hurting yourself. Your therapist will contact you soon. If you need help right now, call your GP or the emergency number (112). In the Netherlands you can also call 113 Suicide Prevention: 0800-0113.
questionnaire-back = Back to questionnaires

messages-you = You
messages-therapist = Your therapist
messages-feedback = feedback
messages-none = No messages yet. You can write to your therapist below.
messages-write = Your message
messages-hint = Your therapist reads messages on working days. In an emergency, call your GP or 112.
messages-send = Send

data-what-title = What icbt keeps
data-what = Your account (e-mail address and language), your treatment program and progress, the assignments, diaries and questionnaires you fill in, and the messages between you and your therapist.
data-who-title = Who sees it
data-who = Only your own therapist sees your answers, diaries and messages. Other staff of your clinic see only figures without your name, such as how many patients finished a module.
data-figures-title = Figures about the treatment
data-figures = To see whether the treatment is used and helps, icbt counts things like page views and finished modules. These counts use a code instead of your name and never contain what you wrote.
data-mail-title = E-mail
data-mail = E-mails from icbt never contain what you wrote. They only say that there is something new, with a link to log in.
data-download = Download all my data (JSON)

nav-caseload = Caseload
caseload-intro = Your patients, most in need of attention first. Counts are since your last feedback.
caseload-patient = Patient
caseload-attention = Needs attention
caseload-new = New since feedback
caseload-feedback-due = Feedback due
caseload-module = Current module
caseload-last-active = Last active
caseload-risk = Risk
caseload-overdue = feedback overdue
caseload-messages = { $count ->
    [one] 1 unanswered message
   *[other] { $count } unanswered messages
}
caseload-inactive = inactive
caseload-counts = { $diaries } diary, { $submissions } assignments, { $questionnaires } questionnaires
caseload-empty = You have no patients yet.
status-invited = invited, not started yet
status-active = active
status-paused = paused
status-completed = completed
status-dropped_out = dropped out
status-stepped_up = stepped up to face-to-face

record-cadence-weekly = weekly feedback
record-cadence-fortnightly = feedback every two weeks
record-since-feedback = Since your last feedback
record-everything = Everything, newest first
record-nothing-new = Nothing new since your last feedback.
record-show-all = Show everything
record-new = new
record-kind-diary = diary
record-kind-assignment = assignment
record-kind-questionnaire = questionnaire
record-kind-message = message from the patient
record-kind-sent = your message
record-kind-page = page read
record-feedback = Write feedback
record-feedback-label = Your feedback
record-feedback-hint = Short and warm works best: name one thing the patient did, and one small next step.
record-preview = How the patient will see it:
record-preview-button = Preview
record-send = Send feedback
record-modules = Modules
record-open = Open
record-lock = Lock
record-skip = Skip

enroll-title = Enroll a patient
enroll-done = The patient is enrolled and the invitation is on its way by e-mail. You can also give them this link:
enroll-open-record = Open the patient's record
enroll-name = First name (optional)
enroll-name-hint = Only used to greet the patient in e-mails and on screen.
enroll-case-code = Case code
enroll-case-code-hint = Your clinic's code for this treatment; not a name. Staff see it instead of the patient's name.
enroll-program = Program
enroll-cadence = Feedback
enroll-weekday = Feedback day
enroll-auto-unlock = Open the next module when the patient finishes one
enroll-submit = Enroll and send the invitation
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
record-treatment = Treatment
record-not-started = The patient has not accepted the invitation yet.
record-status = Status
record-reason = Reason (needed for dropped out and stepped up)

record-contact = Log a contact
record-contact-kind = Kind of contact
record-contact-minutes = Length in minutes
record-contact-note = Note (optional, for yourself)
record-contact-save = Save contact
record-kind-contact = contact
contact-face_to_face = face to face
contact-phone = phone
contact-video = video call
record-hidden = hidden
record-hide-item = Hide for this patient
record-show-item = Show again
record-snippets = Add a snippet
record-manage-snippets = Your snippets
snippets-title = Feedback snippets
snippets-intro = Short texts to start from. { "{first_name}" } and { "{module}" } are filled in for the patient when you use a snippet.
snippets-none = No snippets yet.
snippets-new = New snippet
snippets-field-title = Title
snippets-field-body = Text
snippets-shared = Share with my clinic
snippets-shared-badge = shared
snippets-delete = Delete
snippets-save = Save snippet
