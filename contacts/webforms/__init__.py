"""Website contact forms (web-to-lead, SPEC W1–W5).

`fields` is the catalogue of what a form may offer, `html` writes the HTML to paste into
a web site, `validation` checks what a visitor posts, `services` stores the forms and
turns a submission into a contact, and `views` is the public endpoint.
"""
