from api.webhooks.models import Delivery, Subscription

__all__ = ["Delivery", "Subscription"]
