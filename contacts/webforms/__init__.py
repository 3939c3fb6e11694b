"""Website contact forms (web-to-lead).

`fields` is the catalogue of what a form may offer, `html` writes the HTML to paste into
a web site, `validation` checks what a visitor posts, `services` stores the forms and
turns a submission into a contact, and `views` is the public endpoint.
"""
