namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>What became of a transition's webhook notification (<c>alert_history.delivery</c>).</summary>
public static class AlertDeliveryStates
{
    /// <summary>Recorded, not delivered yet (a new leader sends these again, with the same id).</summary>
    public const string Pending = "pending";

    /// <summary>The webhook answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Every attempt (<c>Serving:Alerts:WebhookAttempts</c>) failed.</summary>
    public const string Failed = "failed";

    /// <summary>The rule was silenced: nothing was sent.</summary>
    public const string Silenced = "silenced";

    /// <summary>No webhook is configured: nothing was sent.</summary>
    public const string None = "none";
}
