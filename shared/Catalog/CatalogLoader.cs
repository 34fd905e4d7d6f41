using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering;
using Lambda.Shared.Filtering.Expressions;
using Lambda.Shared.Lookups;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lambda.Shared.Catalog;

/// <summary>
/// Loads and validates a catalog (YAML). Validation collects every problem, each with its path, and
/// throws one <see cref="CatalogValidationException"/> listing them all.
/// </summary>
/// <remarks>The YAML format and the naming rules: see docs/design-notes.md#catalog-format.</remarks>
public static partial class CatalogLoader
{
    /// <summary>Longest allowed name.</summary>
    public const int MaxIdentifierLength = 64;

    /// <summary>The name of the API's time column, which no measure or dimension may take.</summary>
    public const string BucketColumn = "bucket";

    private static readonly string[] RootKeys = ["lookups", "sources", "views"];
    private static readonly string[] SourceKeys = ["topic", "time", "key", "fields", "enrich", "derive"];

    /// <summary>Words of the expression language that a derived field may not be called.</summary>
    private static readonly string[] ExpressionKeywords = ["and", "or", "not", "in", "true", "false", "case", "when", "then", "else", "end"];
    private static readonly string[] ViewKeys = ["source", "where", "granularity", "dimensions", "measures"];

    /// <summary>True when <paramref name="name"/> is a safe identifier: <c>[a-z_][a-z0-9_]*</c>, at most 64 characters, not starting with <c>__</c>.</summary>
    public static bool IsValidIdentifier([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= MaxIdentifierLength } && IdentifierRegex().IsMatch(name) && !name.StartsWith("__", StringComparison.Ordinal);

    /// <summary>Loads and validates the catalog file at <paramref name="path"/>.</summary>
    /// <exception cref="CatalogValidationException">The file cannot be read or the catalog is invalid; lists every error.</exception>
    public static Catalog LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CatalogValidationException([new CatalogError("catalog", $"cannot read catalog file '{fullPath}': {ex.Message}")], fullPath);
        }

        return Parse(text, fullPath);
    }

    /// <summary>Parses and validates catalog YAML.</summary>
    /// <param name="yaml">The catalog text.</param>
    /// <param name="origin">Where the text came from (for messages and <see cref="Catalog.Origin"/>), or null.</param>
    /// <exception cref="CatalogValidationException">The catalog is invalid; lists every error.</exception>
    public static Catalog Parse(string yaml, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        return TryParse(yaml, out var catalog, out var errors, origin)
            ? catalog
            : throw new CatalogValidationException(errors, origin);
    }

    /// <summary>Parses and validates catalog YAML without throwing.</summary>
    public static bool TryParse(string yaml, [NotNullWhen(true)] out Catalog? catalog, out IReadOnlyList<CatalogError> errors, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var builder = new Builder();
        catalog = builder.Build(yaml, origin);
        errors = builder.Errors;
        if (errors.Count > 0)
        {
            catalog = null;
        }

        return catalog is not null;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierRegex();

    [GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicRegex();

    [GeneratedRegex(@"^\s*\d+\s*\)$", RegexOptions.CultureInvariant)]
    private static partial Regex ScaleRemainderRegex();

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([^()]*?)\s*\))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MeasureRegex();

    private sealed partial class Builder
    {
        private readonly List<CatalogError> _errors = [];

        public IReadOnlyList<CatalogError> Errors => _errors;

        public Catalog? Build(string yaml, string? origin)
        {
            YamlStream stream = [];
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException ex)
            {
                var line = (int)ex.Start.Line;
                Error("catalog", $"YAML syntax error at line {line}, column {ex.Start.Column}: {Innermost(ex).Message}", line);
                return null;
            }

            if (stream.Documents.Count == 0)
            {
                Error("catalog", "the catalog is empty; expected 'sources' and 'views'");
                return null;
            }

            if (stream.Documents.Count > 1)
            {
                Error("catalog", "the catalog must be a single YAML document", Line(stream.Documents[1].RootNode));
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Error("catalog", "the catalog must be a mapping with 'sources' and 'views'", Line(stream.Documents[0].RootNode));
                return null;
            }

            CheckKeys(root, null, RootKeys);
            var lookups = BuildLookups(root);
            var sources = new List<SourceDefinition>();
            var declaredSources = new HashSet<string>(StringComparer.Ordinal);
            var sourcesNode = Child(root, "sources");
            if (sourcesNode is null || IsNull(sourcesNode))
            {
                Error("sources", "at least one source is required", Line(root));
            }
            else if (sourcesNode is not YamlMappingNode sourceMap)
            {
                Error("sources", "must be a mapping of source name to definition", Line(sourcesNode));
            }
            else
            {
                var topics = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (keyNode, body) in sourceMap.Children)
                {
                    var name = ScalarText(keyNode);
                    declaredSources.Add(name);
                    var source = BuildSource(name, body, topics, lookups);
                    if (source is not null)
                    {
                        sources.Add(source);
                    }
                }
            }

            var views = new List<ViewDefinition>();
            var viewsNode = Child(root, "views");
            if (viewsNode is not null && !IsNull(viewsNode))
            {
                if (viewsNode is not YamlMappingNode viewMap)
                {
                    Error("views", "must be a mapping of view name to definition", Line(viewsNode));
                }
                else
                {
                    var byName = sources.ToDictionary(s => s.Name, StringComparer.Ordinal);
                    foreach (var (keyNode, body) in viewMap.Children)
                    {
                        var view = BuildView(ScalarText(keyNode), body, byName, declaredSources);
                        if (view is not null)
                        {
                            views.Add(view);
                        }
                    }
                }
            }

            return _errors.Count == 0 ? new Catalog(lookups.Values.ToArray(), sources, views, origin) : null;
        }

        private SourceDefinition? BuildSource(string name, YamlNode body, Dictionary<string, string> topics, IReadOnlyDictionary<string, LookupDefinition> lookups)
        {
            var path = $"sources.{name}";
            var before = _errors.Count;
            CheckName(path, "source", name, body);
            if (body is not YamlMappingNode map)
            {
                Error(path, "must be a mapping with topic, time and fields", Line(body));
                return null;
            }

            CheckKeys(map, path, SourceKeys);

            var topic = RequiredScalar(map, path, "topic");
            if (topic is not null)
            {
                if (!TopicRegex().IsMatch(topic) || topic is "." or "..")
                {
                    Error($"{path}.topic", $"'{topic}' is not a valid Kafka topic name (1-249 of a-z, A-Z, 0-9, '.', '_', '-')", Line(Child(map, "topic")));
                }
                else if (topics.TryGetValue(topic, out var other))
                {
                    Error($"{path}.topic", $"topic '{topic}' is already used by source '{other}'", Line(Child(map, "topic")));
                }
                else
                {
                    topics[topic] = name;
                }
            }

            var time = RequiredScalar(map, path, "time");
            if (time is not null && time.EndsWith('?'))
            {
                Error($"{path}.time", $"the event-time field '{time.TrimEnd('?')}' cannot be optional: every event needs its time", Line(Child(map, "time")), Column(Child(map, "time")));
            }
            else if (time is not null && !IsValidIdentifier(time))
            {
                Error($"{path}.time", $"'{time}' is not a safe identifier ([a-z_][a-z0-9_]*)", Line(Child(map, "time")));
            }

            var fields = new List<FieldDefinition>();
            var fieldsNode = Child(map, "fields");
            if (fieldsNode is null)
            {
                Error($"{path}.fields", "is required: a mapping of field name to type", Line(map));
            }
            else if (fieldsNode is not YamlMappingNode fieldMap || fieldMap.Children.Count == 0)
            {
                Error($"{path}.fields", "must be a non-empty mapping of field name to type", Line(fieldsNode));
            }
            else
            {
                var previousTypeWasCut = false;
                foreach (var (keyNode, typeNode) in fieldMap.Children)
                {
                    var fieldName = ScalarText(keyNode);
                    var fieldPath = $"{path}.fields.{fieldName}";
                    if (previousTypeWasCut && ScaleRemainderRegex().IsMatch(fieldName))
                    {
                        // The ", s)" half of a decimal(p,s) split by the flow mapping; already reported with a hint.
                        previousTypeWasCut = false;
                        continue;
                    }

                    previousTypeWasCut = false;
                    CheckName(fieldPath, "field", fieldName, keyNode);
                    if (time is not null && string.Equals(fieldName, time, StringComparison.Ordinal))
                    {
                        Error(fieldPath, $"'{fieldName}' is the event-time field; it must not be listed among the fields", Line(keyNode));
                        continue;
                    }

                    var typeText = typeNode is YamlScalarNode s ? s.Value : null;
                    var (declared, optional, defaultText) = SplitFieldType(typeText);
                    if (!FieldType.TryParse(declared, out var type, out var error))
                    {
                        Error(fieldPath, error, Line(typeNode), Column(typeNode));
                        previousTypeWasCut = typeText?.TrimStart().StartsWith("decimal(", StringComparison.Ordinal) == true && !typeText.Contains(')', StringComparison.Ordinal);
                        continue;
                    }

                    FieldValue? defaultValue = null;
                    if (defaultText is not null)
                    {
                        if (!optional)
                        {
                            Error(fieldPath, $"only an optional field has a default; write '{type}? = {defaultText}'", Line(typeNode), Column(typeNode));
                            continue;
                        }

                        if (!FieldDefaults.TryParse(defaultText, type, out defaultValue, out var defaultError))
                        {
                            Error(fieldPath, defaultError, Line(typeNode), Column(typeNode));
                            continue;
                        }
                    }

                    fields.Add(new FieldDefinition(fieldName, fields.Count, type) { IsOptional = optional, Default = defaultValue });
                }
            }

            string? key = null;
            var keyNodeValue = Child(map, "key");
            if (keyNodeValue is not null && !IsNull(keyNodeValue))
            {
                key = Scalar(keyNodeValue, $"{path}.key");
                if (key is not null && !fields.Any(f => f.Name == key))
                {
                    Error($"{path}.key", $"field '{key}' is not in source '{name}'", Line(keyNodeValue));
                }
                else if (key is not null && fields.First(f => f.Name == key).IsOptional)
                {
                    Error($"{path}.key", $"the key field '{key}' cannot be optional: every event needs its key", Line(keyNodeValue), Column(keyNodeValue));
                }
            }

            var (enriched, enrichments) = BuildEnrichments(path, map, name, time, fields, lookups);
            var (derived, derivations) = BuildDerived(path, map, name, time, fields, enriched, enrichments);
            return _errors.Count == before
                ? new SourceDefinition(name, topic!, time!, fields, key, [.. enriched, .. derived], derivations, enrichments)
                : null;
        }

        private (List<FieldDefinition> Fields, List<DerivedFieldCompilation> Compilations) BuildDerived(
            string path, YamlMappingNode map, string sourceName, string? time, List<FieldDefinition> fields,
            List<FieldDefinition> enriched, List<EnrichmentDefinition> enrichments)
        {
            var derived = new List<FieldDefinition>();
            var compilations = new List<DerivedFieldCompilation>();
            var deriveNode = Child(map, "derive");
            if (deriveNode is null || IsNull(deriveNode))
            {
                return (derived, compilations);
            }

            if (deriveNode is not YamlMappingNode deriveMap)
            {
                Error($"{path}.derive", "must be a mapping of derived field name to expression, e.g. amount_band: bucket(amount, 50)", Line(deriveNode));
                return (derived, compilations);
            }

            var names = deriveMap.Children.Keys.Select(ScalarText).ToList();
            var available = fields.Concat(enriched).ToDictionary(f => f.Name, StringComparer.Ordinal);
            var byOrdinal = fields.Concat(enriched).ToDictionary(f => f.Ordinal);
            var rawInputs = enrichments.SelectMany(e => e.Fields.Select(f => (f.Ordinal, e.RawInputs))).ToDictionary(x => x.Ordinal, x => x.RawInputs);
            var index = 0;
            foreach (var (keyNode, exprNode) in deriveMap.Children)
            {
                var fieldName = ScalarText(keyNode);
                var fieldPath = $"{path}.derive.{fieldName}";
                index++;
                var later = names.Skip(index).ToHashSet(StringComparer.Ordinal);
                CheckName(fieldPath, "derived field", fieldName, keyNode);
                if (available.ContainsKey(fieldName) || string.Equals(fieldName, time, StringComparison.Ordinal))
                {
                    Error(fieldPath, $"'{fieldName}' is already a field of source '{sourceName}'", Line(keyNode), Column(keyNode));
                    continue;
                }

                if (ExpressionKeywords.Contains(fieldName, StringComparer.OrdinalIgnoreCase))
                {
                    Error(fieldPath, $"'{fieldName}' is a keyword of the expression language", Line(keyNode), Column(keyNode));
                    continue;
                }

                var text = Scalar(exprNode, fieldPath);
                if (text is null || time is null)
                {
                    continue;
                }

                try
                {
                    var scope = new ExpressionScope(sourceName, time, available, fieldName, later);
                    var expression = ExpressionCompiler.Compile(text, scope, out var reads);
                    var canonical = new System.Text.StringBuilder();
                    expression.WriteCanonical(canonical);
                    var field = new FieldDefinition(fieldName, fields.Count + enriched.Count + derived.Count, expression.Type)
                    {
                        Expression = canonical.ToString(),
                        Lookups = reads.SelectMany(o => byOrdinal[o].Lookups).Distinct().Order(StringComparer.Ordinal).ToArray(),
                    };
                    byOrdinal[field.Ordinal] = field;
                    var inputs = reads.SelectMany(o => o < fields.Count ? [o] : rawInputs[o]).Distinct().Order().ToArray();
                    rawInputs[field.Ordinal] = inputs;
                    derived.Add(field);
                    available[fieldName] = field;
                    compilations.Add(new DerivedFieldCompilation(field, expression, inputs));
                }
                catch (FilterException ex)
                {
                    Error(fieldPath, ex.Message, Line(exprNode), ExpressionColumn(exprNode, ex.Position));
                }
            }

            return (derived, compilations);
        }

        private ViewDefinition? BuildView(string name, YamlNode body, Dictionary<string, SourceDefinition> sources, HashSet<string> declaredSources)
        {
            var path = $"views.{name}";
            var before = _errors.Count;
            CheckName(path, "view", name, body);
            if (body is not YamlMappingNode map)
            {
                Error(path, "must be a mapping with source, granularity and measures", Line(body));
                return null;
            }

            CheckKeys(map, path, ViewKeys);

            var sourceName = RequiredScalar(map, path, "source");
            SourceDefinition? source = null;
            if (sourceName is not null && !sources.TryGetValue(sourceName, out source))
            {
                if (!declaredSources.Contains(sourceName))
                {
                    Error($"{path}.source", $"source '{sourceName}' is not in the catalog", Line(Child(map, "source")));
                }
                else
                {
                    Error($"{path}.source", $"source '{sourceName}' is invalid (see its errors)", Line(Child(map, "source")));
                }
            }

            var granularity = Granularity.Minute;
            var granularityText = RequiredScalar(map, path, "granularity");
            if (granularityText is not null && !GranularityExtensions.TryParse(granularityText, out granularity))
            {
                Error($"{path}.granularity", $"'{granularityText}' is not a granularity; expected minute, hour or day", Line(Child(map, "granularity")));
            }

            var filter = Filter.MatchAll;
            var whereNode = Child(map, "where");
            if (whereNode is not null && !IsNull(whereNode))
            {
                var whereText = Scalar(whereNode, $"{path}.where");
                if (whereText is not null && source is not null)
                {
                    try
                    {
                        filter = Filter.Compile(whereText, source);
                    }
                    catch (FilterException ex)
                    {
                        Error($"{path}.where", ex.Message, Line(whereNode), ExpressionColumn(whereNode, ex.Position));
                    }
                }
            }

            var dimensions = new List<FieldDefinition>();
            var dimensionsNode = Child(map, "dimensions");
            if (dimensionsNode is not null && !IsNull(dimensionsNode))
            {
                if (dimensionsNode is not YamlSequenceNode list)
                {
                    Error($"{path}.dimensions", "must be a list of field names, e.g. [country]", Line(dimensionsNode));
                }
                else
                {
                    for (var i = 0; i < list.Children.Count; i++)
                    {
                        var itemPath = $"{path}.dimensions[{i}]";
                        var dim = Scalar(list.Children[i], itemPath);
                        if (dim is null || source is null)
                        {
                            continue;
                        }

                        if (!source.TryGetField(dim, out var field))
                        {
                            Error(itemPath, string.Equals(dim, source.TimeField, StringComparison.Ordinal)
                                ? $"'{dim}' is the event-time field; time is grouped by granularity, not as a dimension"
                                : $"field '{dim}' is not in source '{source.Name}'", Line(list.Children[i]));
                        }
                        else if (dimensions.Contains(field))
                        {
                            Error(itemPath, $"dimension '{dim}' is listed twice", Line(list.Children[i]));
                        }
                        else if (dim == BucketColumn)
                        {
                            Error(itemPath, $"'{BucketColumn}' is reserved for the time bucket column", Line(list.Children[i]));
                        }
                        else
                        {
                            dimensions.Add(field);
                        }
                    }
                }
            }

            var measures = new List<MeasureDefinition>();
            var measuresNode = Child(map, "measures");
            if (measuresNode is null)
            {
                Error($"{path}.measures", "is required: a mapping of measure name to count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)", Line(map));
            }
            else if (measuresNode is not YamlMappingNode measureMap || measureMap.Children.Count == 0)
            {
                Error($"{path}.measures", "must be a non-empty mapping of measure name to count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)", Line(measuresNode));
            }
            else
            {
                foreach (var (keyNode, exprNode) in measureMap.Children)
                {
                    var measureName = ScalarText(keyNode);
                    var measurePath = $"{path}.measures.{measureName}";
                    CheckName(measurePath, "measure", measureName, keyNode);
                    if (measureName == BucketColumn)
                    {
                        Error(measurePath, $"'{BucketColumn}' is reserved for the time bucket column", Line(keyNode));
                    }
                    else if (dimensions.Any(d => d.Name == measureName))
                    {
                        Error(measurePath, $"'{measureName}' is also a dimension of the view; measure and dimension names share the row", Line(keyNode));
                    }

                    var expr = Scalar(exprNode, measurePath);
                    if (expr is null)
                    {
                        continue;
                    }

                    var measure = ParseMeasure(measurePath, measureName, measures.Count, expr, source, exprNode);
                    if (measure is not null)
                    {
                        measures.Add(measure);
                    }
                }
            }

            if (_errors.Count != before || source is null)
            {
                return null;
            }

            return new ViewDefinition(name, source, filter, granularity, dimensions, measures);
        }

        private MeasureDefinition? ParseMeasure(string path, string name, int index, string expr, SourceDefinition? source, YamlNode node)
        {
            var match = MeasureRegex().Match(expr);
            if (!match.Success)
            {
                Error(path, $"'{expr}' is not a measure; expected count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)", Line(node));
                return null;
            }

            var function = match.Groups[1].Value;
            if (!MeasureKindExtensions.TryParse(function, out var kind))
            {
                Error(path, $"unknown function '{function}'; expected count, sum, min, max, avg, distinct or quantiles", Line(node));
                return null;
            }

            var argument = match.Groups[2].Success ? match.Groups[2].Value : null;
            if (string.IsNullOrEmpty(argument))
            {
                argument = null;
            }

            FieldDefinition? field = null;
            if (argument is not null)
            {
                if (kind == MeasureKind.Count)
                {
                    Error(path, $"count takes no field (write count, not count({argument}))", Line(node));
                    return null;
                }

                if (source is null)
                {
                    return null;
                }

                if (!source.TryGetField(argument, out field))
                {
                    Error(path, string.Equals(argument, source.TimeField, StringComparison.Ordinal)
                        ? $"'{argument}' is the event-time field and cannot be aggregated"
                        : $"field '{argument}' is not in source '{source.Name}'", Line(node));
                    return null;
                }
            }

            if (!MeasureState.Supports(kind, field?.Type, out var error))
            {
                Error(path, field is null ? error! : $"{error} ('{field.Name}' is {field.Type})", Line(node));
                return null;
            }

            return new MeasureDefinition(name, index, kind, field);
        }

        /// <summary>Splits <c>type</c>, <c>type?</c> or <c>type? = default</c>; the type text is passed on as is when there is no '?'.</summary>
        private static (string? Type, bool Optional, string? Default) SplitFieldType(string? text)
        {
            if (text is null)
            {
                return (null, false, null);
            }

            string? defaultText = null;
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                defaultText = text[(equals + 1)..].Trim();
                text = text[..equals];
            }

            text = text.Trim();
            var optional = text.EndsWith('?');
            return (optional ? text[..^1].TrimEnd() : text, optional, defaultText);
        }

        private void CheckName(string path, string what, string name, YamlNode node)
        {
            if (!IsValidIdentifier(name))
            {
                Error(path, name.StartsWith("__", StringComparison.Ordinal) && IdentifierRegex().IsMatch(name)
                    ? $"{what} name '{name}' starts with '__', which is reserved for platform columns"
                    : $"{what} name '{name}' is not a safe identifier ([a-z_][a-z0-9_]*, at most {MaxIdentifierLength} characters)", Line(node));
            }
        }

        private void CheckKeys(YamlMappingNode map, string? path, string[] allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var text = ScalarText(key);
                if (!allowed.Contains(text, StringComparer.Ordinal))
                {
                    Error(path is null ? text : $"{path}.{text}", $"unknown key '{text}'; expected {string.Join(", ", allowed)}", Line(key));
                }
            }
        }

        private string? RequiredScalar(YamlMappingNode map, string path, string key)
        {
            var node = Child(map, key);
            if (node is null || IsNull(node))
            {
                Error($"{path}.{key}", "is required", Line(node ?? map));
                return null;
            }

            return Scalar(node, $"{path}.{key}");
        }

        private string? Scalar(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { } value } && !IsNull(node))
            {
                return value.Trim();
            }

            Error(path, node is YamlScalarNode ? "must not be empty" : "must be a single value, not a list or mapping", Line(node));
            return null;
        }

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain } s && (string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null");

        private static string ScalarText(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : node.ToString();

        private static int? Line(YamlNode? node) => node is null ? null : (int)node.Start.Line;

        private static int? Column(YamlNode? node) => node is null ? null : (int)node.Start.Column;

        /// <summary>
        /// The column of 1-based <paramref name="position"/> of an expression scalar; null when it cannot be mapped (a
        /// multi-line scalar, or no position).
        /// </summary>
        private static int? ExpressionColumn(YamlNode node, int position)
        {
            if (node is not YamlScalarNode { Value: { } value } scalar || position < 1 || value.Contains('\n', StringComparison.Ordinal))
            {
                return null;
            }

            var quote = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
            var leading = value.Length - value.TrimStart().Length;
            return (int)node.Start.Column + quote + leading + position - 1;
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException is not null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }

        private void Error(string path, string message, int? line = null, int? column = null) => _errors.Add(new CatalogError(path, message, line, column));
    }
}
