"""The CRM's users, as its admins manage them in Settings › Users.

`services` holds roles, states, deactivation and the hand-over of contacts;
`invitations` the invitations by email and their signed links; `views` the invitee's
page, open without an account; `forms` its form.
"""
