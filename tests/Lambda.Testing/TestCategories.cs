namespace Lambda.Testing;

/// <summary>
/// The trait that splits the tests by what they need: a class marked
/// <c>[Trait(TestCategories.Name, TestCategories.Stack)]</c> talks to the local stack (PostgreSQL, ClickHouse, the
/// dev broker, a service process); every other test runs on a machine with no server, so
/// <c>dotnet test Lambda.sln --filter "Category!=Stack"</c> is the unit-test run (README: Tests).
/// </summary>
public static class TestCategories
{
    /// <summary>The trait's name, the one test filters select on.</summary>
    public const string Name = "Category";

    /// <summary>Needs the servers <c>scripts/lambda up</c> starts (or a ClickHouse server binary, a built service).</summary>
    public const string Stack = "Stack";
}
