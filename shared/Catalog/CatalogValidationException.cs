using System.Globalization;
using System.Text;

namespace Lambda.Shared.Catalog;

/// <summary>The catalog could not be loaded; <see cref="Errors"/> lists every problem found, each with its path.</summary>
public sealed class CatalogValidationException : Exception
{
    /// <summary>Creates the exception from the errors found in the catalog at <paramref name="origin"/>.</summary>
    public CatalogValidationException(IReadOnlyList<CatalogError> errors, string? origin = null)
        : base(BuildMessage(errors, origin))
    {
        Errors = errors;
        Origin = origin;
    }

    /// <summary>Creates the exception with a single message (no per-path errors).</summary>
    public CatalogValidationException(string message)
        : base(message)
    {
        Errors = [new CatalogError("catalog", message)];
    }

    /// <summary>Creates the exception with a single message and its cause.</summary>
    public CatalogValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new CatalogError("catalog", message)];
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public CatalogValidationException()
        : this("The catalog is invalid.")
    {
    }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<CatalogError> Errors { get; }

    /// <summary>The catalog file, or null when the catalog was given as text.</summary>
    public string? Origin { get; }

    private static string BuildMessage(IReadOnlyList<CatalogError> errors, string? origin)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"catalog{(origin is null ? string.Empty : $" '{origin}'")} is invalid ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):");
        foreach (var e in errors)
        {
            sb.Append("\n  ").Append(e);
            if (e.Line is { } line)
            {
                if (e.Column is { } column)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" (line {line}, column {column})");
                }
                else
                {
                    sb.Append(CultureInfo.InvariantCulture, $" (line {line})");
                }
            }
        }

        return sb.ToString();
    }
}
