from django.contrib import admin

from paperboy.digests.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "user", "confirmed_at", "unsubscribed_at", "bounced_at"]
    list_filter = ["frequency"]
    search_fields = ["email"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["period", "subscription", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "period"]
    raw_id_fields = ["subscription"]
