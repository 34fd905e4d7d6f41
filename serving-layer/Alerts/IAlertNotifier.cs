namespace Lambda.ServingLayer.Alerts;

/// <summary>Tells the outside world about an alert transition (the seam to the webhook receiver).</summary>
public interface IAlertNotifier
{
    /// <summary>Delivers <paramref name="notification"/>; throws when delivery failed (the caller logs it and carries on).</summary>
    Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken);
}
