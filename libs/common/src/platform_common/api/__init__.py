"""API conventions shared by every service: errors, serializers, pagination."""
