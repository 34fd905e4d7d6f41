using System.Text;
using Lambda.Shared.Filtering;
using Lambda.Shared.Filtering.Expressions;
using Lambda.Shared.Lookups;
using YamlDotNet.RepresentationModel;

namespace Lambda.Shared.Catalog;

/// <summary>The <c>lookups:</c> section and the sources' <c>enrich:</c> entries (reference data joined at event time).</summary>
public static partial class CatalogLoader
{
    private static readonly string[] LookupKeys = ["key", "valid_from", "values", "on_missing"];
    private static readonly string[] EnrichKeys = ["lookup", "key", "fields"];

    private sealed partial class Builder
    {
        private Dictionary<string, LookupDefinition> BuildLookups(YamlMappingNode root)
        {
            var lookups = new Dictionary<string, LookupDefinition>(StringComparer.Ordinal);
            var node = Child(root, "lookups");
            if (node is null || IsNull(node))
            {
                return lookups;
            }

            if (node is not YamlMappingNode map)
            {
                Error("lookups", "must be a mapping of lookup name to definition (key, values, optional valid_from and on_missing)", Line(node));
                return lookups;
            }

            foreach (var (keyNode, body) in map.Children)
            {
                var name = ScalarText(keyNode);
                var lookup = BuildLookup(name, body);
                if (lookup is not null)
                {
                    lookups[name] = lookup;
                }
            }

            return lookups;
        }

        private LookupDefinition? BuildLookup(string name, YamlNode body)
        {
            var path = $"lookups.{name}";
            var before = _errors.Count;
            CheckName(path, "lookup", name, body);
            if (body is not YamlMappingNode map)
            {
                Error(path, "must be a mapping with key, values, optional valid_from and on_missing", Line(body));
                return null;
            }

            CheckKeys(map, path, LookupKeys);
            var keys = LookupColumns(map, path, "key", "e.g. { country: string }");
            var values = LookupColumns(map, path, "values", "e.g. { region: string, currency: string }");
            var versioning = LookupVersioning.None;
            var validNode = Child(map, "valid_from");
            if (validNode is not null && !IsNull(validNode))
            {
                var text = Scalar(validNode, $"{path}.valid_from");
                versioning = text switch
                {
                    "day" => LookupVersioning.Day,
                    "time" => LookupVersioning.Time,
                    _ => LookupVersioning.None,
                };
                if (text is not null && versioning == LookupVersioning.None)
                {
                    Error($"{path}.valid_from", $"'{text}' is not a versioning; expected day (valid_from is a UTC day) or time (an instant)", Line(validNode), Column(validNode));
                }
            }

            var policy = LookupMissingPolicy.Null;
            var missingNode = Child(map, "on_missing");
            if (missingNode is not null)
            {
                // A plain 'null' is YAML's null: it names the policy null here, as the catalog reader writes it.
                var text = missingNode is YamlScalarNode { Value: { } v } ? (v is "" or "~" ? "null" : v.Trim()) : null;
                if (!LookupMissingPolicyNames.TryParse(text, out policy))
                {
                    Error($"{path}.on_missing", $"'{text ?? ScalarText(missingNode)}' is not a policy; expected null, drop or dead_letter", Line(missingNode), Column(missingNode));
                }
            }

            var names = new HashSet<string>(StringComparer.Ordinal) { LookupDefinition.ValidFromColumn };
            foreach (var (column, node) in keys.Concat(values))
            {
                if (!names.Add(column.Name))
                {
                    Error($"{path}.{(keys.Any(k => k.Column == column) ? "key" : "values")}.{column.Name}", column.Name == LookupDefinition.ValidFromColumn
                        ? $"'{LookupDefinition.ValidFromColumn}' is reserved for the versioning column"
                        : $"column '{column.Name}' is declared twice", Line(node), Column(node));
                }
            }

            return _errors.Count == before
                ? new LookupDefinition(name, keys.Select(k => k.Column).ToArray(), versioning, values.Select(v => v.Column).ToArray(), policy)
                : null;
        }

        private List<(LookupColumn Column, YamlNode Node)> LookupColumns(YamlMappingNode map, string path, string key, string example)
        {
            var columns = new List<(LookupColumn, YamlNode)>();
            var node = Child(map, key);
            if (node is null || IsNull(node))
            {
                Error($"{path}.{key}", $"is required: a mapping of column name to type, {example}", Line(node ?? map));
                return columns;
            }

            if (node is not YamlMappingNode columnMap || columnMap.Children.Count == 0)
            {
                Error($"{path}.{key}", $"must be a non-empty mapping of column name to type, {example}", Line(node), Column(node));
                return columns;
            }

            foreach (var (nameNode, typeNode) in columnMap.Children)
            {
                var name = ScalarText(nameNode);
                var columnPath = $"{path}.{key}.{name}";
                CheckName(columnPath, "column", name, nameNode);
                var typeText = typeNode is YamlScalarNode s ? s.Value : null;
                if (!FieldType.TryParse(typeText, out var type, out var error))
                {
                    Error(columnPath, error, Line(typeNode), Column(typeNode));
                    continue;
                }

                columns.Add((new LookupColumn(name, type), nameNode));
            }

            return columns;
        }

        private (List<FieldDefinition> Fields, List<EnrichmentDefinition> Enrichments) BuildEnrichments(
            string path, YamlMappingNode map, string sourceName, string? time, List<FieldDefinition> fields, IReadOnlyDictionary<string, LookupDefinition> lookups)
        {
            var added = new List<FieldDefinition>();
            var enrichments = new List<EnrichmentDefinition>();
            var node = Child(map, "enrich");
            if (node is null || IsNull(node))
            {
                return (added, enrichments);
            }

            if (node is not YamlSequenceNode list)
            {
                Error($"{path}.enrich", "must be a list of joins, e.g. - { lookup: countries, key: [country] }", Line(node), Column(node));
                return (added, enrichments);
            }

            var declared = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
            for (var i = 0; i < list.Children.Count; i++)
            {
                var itemPath = $"{path}.enrich[{i}]";
                if (list.Children[i] is not YamlMappingNode item)
                {
                    Error(itemPath, "must be a mapping with lookup, key and optional fields", Line(list.Children[i]), Column(list.Children[i]));
                    continue;
                }

                CheckKeys(item, itemPath, EnrichKeys);
                var lookupName = RequiredScalar(item, itemPath, "lookup");
                if (lookupName is null)
                {
                    continue;
                }

                if (!lookups.TryGetValue(lookupName, out var lookup))
                {
                    Error($"{itemPath}.lookup", $"lookup '{lookupName}' is not in the catalog's lookups", Line(Child(item, "lookup")), Column(Child(item, "lookup")));
                    continue;
                }

                if (enrichments.Any(e => e.Lookup.Name == lookupName))
                {
                    Error($"{itemPath}.lookup", $"lookup '{lookupName}' is already joined by source '{sourceName}'", Line(Child(item, "lookup")), Column(Child(item, "lookup")));
                    continue;
                }

                var keys = EnrichmentKeys(itemPath, item, sourceName, time, declared, lookup);
                var columns = EnrichmentColumns(itemPath, item, lookup);
                if (keys is null || columns is null)
                {
                    continue;
                }

                var enrichmentFields = new List<FieldDefinition>();
                foreach (var (column, columnNode) in columns)
                {
                    if (declared.ContainsKey(column.Name) || added.Any(f => f.Name == column.Name) || string.Equals(column.Name, time, StringComparison.Ordinal))
                    {
                        Error($"{itemPath}.fields", $"'{column.Name}' of lookup '{lookup.Name}' is already a field of source '{sourceName}'; take it from one place only (fields: [...])",
                            Line(columnNode), Column(columnNode));
                        continue;
                    }

                    var field = new FieldDefinition(column.Name, fields.Count + added.Count, column.Type)
                    {
                        Expression = $"lookup({lookup.Name}, {string.Join(", ", keys.Value.Texts)}).{column.Name}",
                        Lookups = [lookup.Name],
                    };
                    added.Add(field);
                    enrichmentFields.Add(field);
                }

                enrichments.Add(new EnrichmentDefinition(enrichments.Count, lookup, keys.Value.Nodes, keys.Value.Texts, enrichmentFields, keys.Value.Inputs));
            }

            if (enrichments.Count > 63)
            {
                Error($"{path}.enrich", "a source joins at most 63 lookups", Line(node));
            }

            return (added, enrichments);
        }

        private (List<ValueNode> Nodes, List<string> Texts, IReadOnlyList<int> Inputs)? EnrichmentKeys(
            string path, YamlMappingNode item, string sourceName, string? time, Dictionary<string, FieldDefinition> declared, LookupDefinition lookup)
        {
            var keyNode = Child(item, "key");
            if (keyNode is null || IsNull(keyNode))
            {
                Error($"{path}.key", $"is required: one expression per key column of lookup '{lookup.Name}' ({string.Join(", ", lookup.Keys)})", Line(item));
                return null;
            }

            var items = keyNode is YamlSequenceNode seq ? seq.Children.ToList() : [keyNode];
            if (items.Count != lookup.Keys.Count)
            {
                Error($"{path}.key", $"lookup '{lookup.Name}' has {lookup.Keys.Count} key column(s) ({string.Join(", ", lookup.Keys)}); {items.Count} expression(s) given",
                    Line(keyNode), Column(keyNode));
                return null;
            }

            var nodes = new List<ValueNode>();
            var texts = new List<string>();
            var inputs = new SortedSet<int>();
            var ok = true;
            for (var k = 0; k < items.Count; k++)
            {
                var text = Scalar(items[k], $"{path}.key[{k}]");
                if (text is null || time is null)
                {
                    ok = false;
                    continue;
                }

                try
                {
                    var scope = new ExpressionScope(sourceName, time, declared, null, new HashSet<string>(StringComparer.Ordinal));
                    var expression = ExpressionCompiler.Compile(text, scope, out var reads);
                    var expected = lookup.Keys[k].Type;
                    if (expression.Type.Kind != expected.Kind || expression.Type.Scale != expected.Scale)
                    {
                        Error($"{path}.key[{k}]", $"'{text}' is {expression.Type}; key column '{lookup.Keys[k].Name}' of lookup '{lookup.Name}' is {expected}",
                            Line(items[k]), Column(items[k]));
                        ok = false;
                        continue;
                    }

                    var canonical = new StringBuilder();
                    expression.WriteCanonical(canonical);
                    nodes.Add(expression);
                    texts.Add(canonical.ToString());
                    inputs.UnionWith(reads);
                }
                catch (FilterException ex)
                {
                    Error($"{path}.key[{k}]", ex.Message, Line(items[k]), ExpressionColumn(items[k], ex.Position));
                    ok = false;
                }
            }

            return ok ? (nodes, texts, inputs.ToArray()) : null;
        }

        private List<(LookupColumn Column, YamlNode Node)>? EnrichmentColumns(string path, YamlMappingNode item, LookupDefinition lookup)
        {
            var fieldsNode = Child(item, "fields");
            if (fieldsNode is null || IsNull(fieldsNode))
            {
                return lookup.Values.Select(v => (v, (YamlNode)item)).ToList();
            }

            if (fieldsNode is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error($"{path}.fields", $"must be a non-empty list of value columns of lookup '{lookup.Name}' ({string.Join(", ", lookup.Values.Select(v => v.Name))})", Line(fieldsNode));
                return null;
            }

            var columns = new List<(LookupColumn, YamlNode)>();
            var ok = true;
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var name = Scalar(seq.Children[i], $"{path}.fields[{i}]");
                if (name is null)
                {
                    ok = false;
                }
                else if (lookup.FindValue(name) is not { } column)
                {
                    Error($"{path}.fields[{i}]", $"'{name}' is not a value column of lookup '{lookup.Name}' ({string.Join(", ", lookup.Values.Select(v => v.Name))})",
                        Line(seq.Children[i]), Column(seq.Children[i]));
                    ok = false;
                }
                else if (columns.Any(c => ((LookupColumn)c.Item1).Name == name))
                {
                    Error($"{path}.fields[{i}]", $"'{name}' is listed twice", Line(seq.Children[i]), Column(seq.Children[i]));
                    ok = false;
                }
                else
                {
                    columns.Add((column, seq.Children[i]));
                }
            }

            return ok ? columns : null;
        }
    }
}
