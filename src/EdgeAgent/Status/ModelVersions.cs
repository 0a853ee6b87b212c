using System.Security.Cryptography;
using System.Text.Json;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// Which model files the configuration uses, and which versions they are: the file's size and SHA-256 (what the model
/// card names), and the sidecar contract's <c>version</c> when it has one. Read from the files, so the agent and the
/// CLI without an agent say the same.
/// </summary>
internal static class ModelVersions
{
    /// <summary>The detector and the reader of each configured region (one entry per model file).</summary>
    public static IReadOnlyList<ModelVersion> Read(DetectionOptions detection, RecognitionOptions recognition)
    {
        ArgumentNullException.ThrowIfNull(detection);
        ArgumentNullException.ThrowIfNull(recognition);
        var models = new List<ModelVersion> { Read("detector", detection.ResolvedModelPath) };
        IReadOnlyList<PlateRegion> regions;
        try
        {
            regions = recognition.ResolvedRegions();
        }
        catch (FormatException)
        {
            // Configuration checks name the bad region; the models still get listed for the readers that are known.
            regions = [PlateRegion.Ir];
        }

        if (regions.Contains(PlateRegion.Ir))
        {
            models.Add(Read("reader-ir", recognition.ResolvedIranModelPath));
        }

        if (regions.Any(r => r != PlateRegion.Ir))
        {
            models.Add(Read("reader-latin", recognition.ResolvedLatinModelPath));
        }

        return models;
    }

    public static ModelVersion Read(string role, string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(file))[..12];
            return new ModelVersion(role, path, file.Length, hash, SidecarVersion(Path.ChangeExtension(path, ".json")), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ModelVersion(role, path, null, null, null, ex.Message);
        }
    }

    // The contract beside the model; a "version" string or number there (issue 12's model cards add one) is reported.
    private static string? SidecarVersion(string sidecar)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(sidecar));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("version", out var version)
                ? version.ValueKind == JsonValueKind.String ? version.GetString() : version.GetRawText()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
