using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// The configuration as a log bundle carries it: every key the agent sees (file, <c>EDGEANPR__</c> environment,
/// defaults not included), with secrets replaced by <see cref="Redacted"/>. A key is secret when its last segment names
/// one (password, secret, token, passphrase, credential, api key, private key) and it is not a file name: a
/// <c>*File</c> key keeps its path, and the file it names (<c>Mqtt:KeyFile</c>, <c>Mqtt:PasswordFile</c>) is never read
/// into the bundle. User names and passwords inside URLs (<c>rtsp://admin:secret@camera</c>) are redacted in every value
/// and in every text of the bundle (<see cref="ScrubUrls"/>).
/// </summary>
internal static partial class ConfigRedaction
{
    public const string Redacted = "[redacted]";

    public static SortedDictionary<string, string?> Redact(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var redacted = new SortedDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null)
            {
                continue; // a section, not a value
            }

            redacted[key] = IsSecret(key) ? Redacted : ScrubUrls(value);
        }

        return redacted;
    }

    /// <summary>Whether <paramref name="key"/>'s value is a secret by its name (see the class summary).</summary>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = key[(key.LastIndexOf(':') + 1)..];
        return !name.EndsWith("File", StringComparison.OrdinalIgnoreCase) && SecretName().IsMatch(name);
    }

    /// <summary>The secrets of a configuration by value (for scrubbing other texts): redacted values and the password file's contents.</summary>
    public static IReadOnlyList<string> SecretValues(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = configuration.AsEnumerable()
            .Where(p => p.Value is { Length: >= 4 } && IsSecret(p.Key))
            .Select(p => p.Value!)
            .ToList();
        foreach (var (key, path) in configuration.AsEnumerable())
        {
            // Read to scrub it from the other texts, never copied: a password the agent sent could show up in a log line.
            if (key.EndsWith("PasswordFile", StringComparison.OrdinalIgnoreCase) && path is { Length: > 0 })
            {
                try
                {
                    if (File.ReadAllText(path).Trim() is { Length: >= 4 } password)
                    {
                        values.Add(password);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Not readable by this user: then it cannot leak from here either.
                }
            }
        }

        return values;
    }

    /// <summary><paramref name="text"/> with the password of every <c>scheme://user:password@</c> replaced.</summary>
    public static string ScrubUrls(string text) => UrlCredentials().Replace(text, "${head}" + Redacted + "@");

    [GeneratedRegex("password|passwd|secret|token|passphrase|credential|api[-_]?key|private[-_]?key", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]*@")]
    private static partial Regex UrlCredentials();
}
