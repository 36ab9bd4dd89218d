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
