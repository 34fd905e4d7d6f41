namespace Lambda.Shared.Lookups;

/// <summary>What a view does with an event whose key has no row valid at its event time (the catalog's <c>on_missing:</c>).</summary>
public enum LookupMissingPolicy
{
    /// <summary><c>null</c>: the enriched fields are null (a null dimension is its own group; measures skip nulls).</summary>
    Null = 0,

    /// <summary><c>drop</c>: the views that use the lookup do not count the event.</summary>
    Drop = 1,

    /// <summary><c>dead_letter</c>: like <see cref="Drop"/>, and the speed layer sends the event to the dead-letter topic with reason <c>lookup_missing</c>.</summary>
    DeadLetter = 2,
}
