namespace Lambda.IntegrationTests.Compose;

/// <summary>A required compose variable (<c>${NAME:?message}</c>) is unset or empty: compose refuses to start.</summary>
internal sealed class ComposeVariableException(string name, string message)
    : Exception($"required variable {name} is not set: {message}")
{
    public string Name { get; } = name;
}
