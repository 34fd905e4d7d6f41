using Lambda.ServingLayer.Alerts.Storage;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>One transition in <c>GET /api/alerts/{name}/history</c>.</summary>
/// <param name="Id">The transition's id (the webhook body's <c>id</c>).</param>
/// <param name="Sequence">Its position in the history; pass it as <c>before</c> for the next page.</param>
/// <param name="Group">The group's dimension values; null for a rule without groups.</param>
/// <param name="State">The new state.</param>
/// <param name="PreviousState">The state before.</param>
/// <param name="Value">The value measured.</param>
/// <param name="From">Start of the range measured.</param>
/// <param name="To">End (exclusive) of the range measured.</param>
/// <param name="At">When the evaluation ran.</param>
/// <param name="Silenced">Whether the rule was silenced (nothing sent).</param>
/// <param name="Delivery"><c>pending</c>, <c>delivered</c>, <c>failed</c>, <c>silenced</c> or <c>none</c> (no webhook set).</param>
/// <param name="Attempts">Webhook calls made.</param>
/// <param name="DeliveredAt">When the webhook accepted it.</param>
public sealed record AlertHistoryEntry(
    Guid Id,
    long Sequence,
    IReadOnlyDictionary<string, string?>? Group,
    string State,
    string PreviousState,
    double? Value,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset At,
    bool Silenced,
    string Delivery,
    int Attempts,
    DateTimeOffset? DeliveredAt)
{
    /// <summary>The entry of <paramref name="transition"/>.</summary>
    public static AlertHistoryEntry Of(AlertTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var n = transition.Notification;
        return new AlertHistoryEntry(
            transition.Id, transition.Sequence, n.Group, n.State, n.PreviousState, n.Value, n.From, n.To, n.At,
            transition.Silenced, transition.Delivery, transition.Attempts, transition.DeliveredAt);
    }
}
