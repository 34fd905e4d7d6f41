namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// The read-only settings every ad hoc session runs under, applied once its views exist: no file access but to the
/// snapshot's own files (read) and the outputs the caller named up front (written, by the session's own <c>COPY</c>)
/// through <c>allowed_paths</c> with <c>enable_external_access = false</c>; no extension installed or loaded on demand;
/// then <c>lock_configuration = true</c>, so the query cannot undo any of it with <c>SET</c>. Together with
/// <see cref="AdHocStatementGuard"/> (one SELECT only) this refuses <c>COPY</c> over the dataset, <c>read_csv('/etc/passwd')</c>,
/// <c>ATTACH</c>, <c>INSTALL</c>/<c>LOAD</c> and writes. The bundled extensions (parquet, json, icu, core functions) are
/// linked into the engine and stay usable.
/// </summary>
internal static class AdHocLockdown
{
    /// <summary>Applies the settings to <paramref name="session"/>; must run after the views are created.</summary>
    public static void Apply(AdHocSession session, IEnumerable<string> readableFiles, IEnumerable<string> writableFiles)
    {
        ArgumentNullException.ThrowIfNull(session);
        var paths = readableFiles.Concat(writableFiles).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();

        // allowed_paths can only be set while external access is still on.
        session.Execute($"SET allowed_paths = [{string.Join(", ", paths.Select(AdHocSession.QuoteString))}]");
        session.Execute("SET autoinstall_known_extensions = false");
        session.Execute("SET autoload_known_extensions = false");
        session.Execute("SET allow_community_extensions = false");
        session.Execute("SET enable_external_access = false");
        session.Execute("SET lock_configuration = true");
    }
}
