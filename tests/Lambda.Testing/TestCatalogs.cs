using Lambda.Shared.Catalog;

namespace Lambda.Testing;

/// <summary>
/// The platform's default catalog (the repository's <c>shared/catalog.yaml</c>) for the tests of every layer.
/// Lambda.Shared ships it: the build copies it next to each test assembly, where the services look for it by default.
/// </summary>
public static class TestCatalogs
{
    private const string OrdersTopicLine = "    topic: orders\n";

    private static readonly Lazy<string> LazyDefaultText = new(() => File.ReadAllText(DefaultPath));
    private static readonly Lazy<Catalog> LazyDefault = new(() => CatalogLoader.LoadFile(DefaultPath));

    /// <summary>The shipped default catalog's file, next to the test assembly.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "catalog.yaml");

    /// <summary>The shipped default catalog's YAML text, for tests that change a detail of it.</summary>
    public static string DefaultText => LazyDefaultText.Value;

    /// <summary>The shipped default catalog.</summary>
    public static Catalog Default => LazyDefault.Value;

    /// <summary>The default catalog's <c>orders</c> source.</summary>
    public static SourceDefinition Orders => Default.GetSource("orders");

    /// <summary>revenue_by_country: orders where status = 'paid', per minute, by country; orders, revenue, biggest, buyers.</summary>
    public static ViewDefinition RevenueByCountry => Default.GetView("revenue_by_country");

    /// <summary>
    /// The default catalog's text with the <c>orders</c> source reading <paramref name="topic"/> instead of <c>orders</c>,
    /// for tests that produce to a topic of their own.
    /// </summary>
    public static string DefaultWithOrdersTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var text = DefaultText;
        var first = text.IndexOf(OrdersTopicLine, StringComparison.Ordinal);
        if (first < 0 || text.IndexOf(OrdersTopicLine, first + OrdersTopicLine.Length, StringComparison.Ordinal) >= 0)
        {
            // The replacement below must hit the orders source and nothing else.
            throw new InvalidOperationException($"'{DefaultPath}' must contain the line '{OrdersTopicLine.TrimEnd()}' exactly once.");
        }

        return text.Replace(OrdersTopicLine, $"    topic: {topic}\n", StringComparison.Ordinal);
    }
}
