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
