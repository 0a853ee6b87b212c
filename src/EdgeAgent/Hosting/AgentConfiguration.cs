using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>
/// Loads the agent's configuration: built-in defaults (the options classes), then the JSON file
/// (<see cref="DefaultPath"/> when present, or the file named by <c>--config</c>, which must exist),
/// then <c>EDGEANPR__</c> environment variables (<c>EDGEANPR__Camera__Source</c>), then command-line overrides.
/// </summary>
internal static class AgentConfiguration
{
    public const string DefaultPath = "/etc/edge-anpr/edge-anpr.json";

    public const string EnvironmentPrefix = "EDGEANPR__";

    public static IConfigurationRoot Load(string? path, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        var file = path ?? (File.Exists(DefaultPath) ? DefaultPath : null);
        if (file is not null)
        {
            builder.AddJsonStream(new MemoryStream(ReadJson(file)));
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>Reads the file and checks it is JSON, so a syntax error names the file, line and position.</summary>
    private static byte[] ReadJson(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Cannot read configuration file '{file}': {ex.Message}");
        }

        try
        {
            using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"Configuration file '{file}' is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message.Split(" LineNumber", 2)[0]}");
        }

        return bytes;
    }
}

/// <summary>A configuration that cannot be used; the message names the file or key.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ConfigurationException()
    {
    }
}
