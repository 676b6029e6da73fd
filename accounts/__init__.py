"""Sign-in, two-factor and password reset for staff and advisors: the
portal's own sign-in page (two_factor.py), self-service two-factor
(views.py), the sign-in locks (lockout.py, django-axes) and the reset email
through the outbox (forms.py). No models: the users are Django's, the
devices django-otp's and the attempts django-axes'. Templates stay in
templates/registration/.
"""
