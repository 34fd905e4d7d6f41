namespace Lambda.ServingLayer.Alerts.Leadership;

/// <summary>Decides which serving instance evaluates the alert rules: exactly one at a time among those sharing a database.</summary>
public interface IAlertLeadership
{
    /// <summary>Whether this instance led at its last <see cref="TryLeadAsync"/>.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Takes the leadership when it is free, or checks that this instance still holds it. False when another instance
    /// leads or the database cannot be reached (then this instance stops leading at once).
    /// </summary>
    Task<bool> TryLeadAsync(CancellationToken cancellationToken);

    /// <summary>Gives the leadership up (at shutdown), so another instance takes over without waiting for a session to end.</summary>
    Task ResignAsync(CancellationToken cancellationToken);
}
