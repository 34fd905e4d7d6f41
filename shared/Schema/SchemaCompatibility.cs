using Lambda.Shared.Catalog;

namespace Lambda.Shared.Schema;

/// <summary>
/// Compares a source's declared fields with the schema its master dataset was written with. Compatible: adding an
/// optional field (older rows read as its default or null), removing a field (views cannot name a field the source
/// no longer has: the catalog loader refuses them), making a field optional. Refused: a type change of an archived
/// field, a new required field, and a field archived as optional that turns required (archived rows may lack it).
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>The incompatible changes of <paramref name="source"/> against <paramref name="archived"/>, each one sentence naming source and field; empty when compatible.</summary>
    public static IReadOnlyList<string> Check(SourceDefinition source, ArchivedSchema archived)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(archived);
        var problems = new List<string>();
        foreach (var field in source.Fields)
        {
            var before = archived.Find(field.Name);
            var type = field.Type.ToString();
            if (before is null)
            {
                if (!field.IsOptional)
                {
                    problems.Add($"source '{source.Name}': field '{field.Name}' ({type}) is new and required, but the archived events do not have it; "
                        + $"declare it optional ('{type}?') or give it a default ('{type}? = ...')");
                }
            }
            else if (!string.Equals(before.Type, type, StringComparison.Ordinal))
            {
                problems.Add($"source '{source.Name}': field '{field.Name}' changes type from {before.Type} to {type}; "
                    + "the archived files hold the old type, so add a field under a new name instead");
            }
            else if (before.Optional && !field.IsOptional)
            {
                problems.Add($"source '{source.Name}': field '{field.Name}' was archived as optional and is now required; "
                    + $"archived events may lack it, so keep it optional ('{type}?') or give it a default");
            }
        }

        return problems;
    }

    /// <summary>
    /// The schema to record after an archiver starts with <paramref name="source"/>: the catalog's declared fields as
    /// declared now, then the archived fields the catalog no longer declares.
    /// </summary>
    public static ArchivedSchema Merge(SourceDefinition source, ArchivedSchema? archived)
    {
        ArgumentNullException.ThrowIfNull(source);
        var fields = source.Fields
            .Select(f => new ArchivedField(f.Name, f.Type.ToString(), f.IsOptional, f.Default is { } value ? FieldDefaults.Format(value) : null))
            .ToList();
        if (archived is not null)
        {
            fields.AddRange(archived.Fields.Where(a => !fields.Any(f => string.Equals(f.Name, a.Name, StringComparison.Ordinal))));
        }

        return new ArchivedSchema(source.Name, fields);
    }
}
