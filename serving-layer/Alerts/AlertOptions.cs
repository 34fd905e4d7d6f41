namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Alert rules and how they are evaluated (configuration section <c>Serving:Alerts</c>), validated at start-up
/// against the catalog by <see cref="AlertOptionsValidator"/>. Every serving instance sharing a PostgreSQL database
/// must have the same rules: each instance writes its configured rules to <c>alert_rules</c> at start.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving:Alerts";

    /// <summary>The default <see cref="LeaderLockKey"/>: "LALERTLD" in ASCII.</summary>
    public const long DefaultLeaderLockKey = 0x4C_41_4C_45_52_54_4C_44;

    /// <summary>
    /// The configured rules (<c>Serving:Alerts:Rules:0:Name</c>, ...), stored with source <c>configuration</c>; more rules
    /// come through <c>PUT /api/admin/alerts/{name}</c>. Default none.
    /// </summary>
    public IList<AlertRuleOptions> Rules { get; init; } = [];

    /// <summary>How often the leading instance evaluates every rule (one query per rule). Default 10 s; 1 s to 1 h.</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an instance that does not lead tries to take the leader lock. A transition is noticed at most
    /// this plus <see cref="EvaluationInterval"/> after the leader's PostgreSQL session ended. Default 5 s; 100 ms to 5 min.
    /// </summary>
    public TimeSpan LeaderRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Key of the PostgreSQL session-level advisory lock (<c>pg_try_advisory_lock</c>) whose holder evaluates the rules.
    /// Default <see cref="DefaultLeaderLockKey"/>; instances sharing a database share it.
    /// </summary>
    public long LeaderLockKey { get; init; } = DefaultLeaderLockKey;

    /// <summary>
    /// PostgreSQL schema of the alert tables (<c>alert_rules</c>, <c>alert_states</c>, <c>alert_history</c>; created if
    /// missing): lowercase letters, digits and <c>_</c>. Default none: the connection's search path (normally <c>public</c>).
    /// </summary>
    public string? Schema { get; init; }

    /// <summary>
    /// Absolute http(s) URL that receives a JSON <see cref="AlertNotification"/> (POST) on every transition
    /// ok → firing and firing → ok of a rule that is not silenced. Default none: transitions are only logged and recorded.
    /// </summary>
    public string? WebhookUrl { get; init; }

    /// <summary>How long one webhook call may take before it counts as failed. Default 5 s; 1 s to 1 min.</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times one notification is tried before it is recorded as failed. Default 5; 1 to 20.</summary>
    public int WebhookAttempts { get; init; } = 5;

    /// <summary>The wait before the second try; each later wait doubles (with jitter). Default 1 s; 10 ms to 5 min.</summary>
    public TimeSpan WebhookRetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
}
