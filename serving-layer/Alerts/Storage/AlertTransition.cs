namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>One transition of one group of a rule (<c>alert_history</c>), with what became of its notification.</summary>
/// <param name="Id">Stable id, also the webhook body's <c>id</c>: a receiver deduplicates retries and re-sends by it.</param>
/// <param name="Sequence">Position in the history (ascending with time; assigned by the store, 0 before).</param>
/// <param name="Notification">The notification (what the webhook receives).</param>
/// <param name="GroupKey">The group (see <see cref="AlertGroupKey"/>).</param>
/// <param name="Silenced">Whether the rule was silenced when the transition happened.</param>
/// <param name="Delivery">One of <see cref="AlertDeliveryStates"/>.</param>
/// <param name="Attempts">Webhook calls made so far.</param>
/// <param name="DeliveredAt">When the webhook accepted it; null otherwise.</param>
public sealed record AlertTransition(
    Guid Id,
    long Sequence,
    AlertNotification Notification,
    string GroupKey,
    bool Silenced,
    string Delivery,
    int Attempts,
    DateTimeOffset? DeliveredAt);
