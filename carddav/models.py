from django.db import models

from contacts.models import Contact


class PhoneCard(models.Model):
    """The name and UID a phone gave the card of a contact it created.

    Every client then finds the card at the address the phone chose and with its UID:
    the phone knows the contact again rather than holding it twice, and a second upload
    of that UID changes the contact rather than creating another.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="phone_card")
    # The last part of the card's address in every book ("<uuid>.vcf").
    name = models.CharField(max_length=255, unique=True)
    uid = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
