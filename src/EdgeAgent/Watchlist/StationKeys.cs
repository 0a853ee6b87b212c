using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>The station public keys this box trusts, by key id (Watchlist:StationKeyFiles). Owns and disposes the keys.</summary>
public sealed class StationKeys : IDisposable
{
    private readonly Dictionary<string, StationKey> _keys;

    private StationKeys(Dictionary<string, StationKey> keys)
    {
        _keys = keys;
    }

    public bool IsEmpty => _keys.Count == 0;

    /// <summary>The trusted key ids, sorted.</summary>
    public IReadOnlyList<string> Ids => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Reads each PEM public key file. Throws <see cref="ConfigurationException"/> naming the file and what is wrong.</summary>
    public static StationKeys Load(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var keys = new Dictionary<string, StationKey>(StringComparer.Ordinal);
        try
        {
            foreach (var file in files)
            {
                StationKey key;
                try
                {
                    key = StationKey.FromPublicPem(File.ReadAllText(file));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
                {
                    throw new ConfigurationException($"Watchlist:StationKeyFiles '{file}': {ex.Message.TrimEnd('.')}.", ex);
                }

                if (!keys.TryAdd(key.Id, key))
                {
                    key.Dispose();
                }
            }

            return new StationKeys(keys);
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>Keys given directly (tests, the CLI).</summary>
    public static StationKeys Of(params StationKey[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new StationKeys(keys.ToDictionary(k => k.Id, StringComparer.Ordinal));
    }

    public StationKey? Find(string id) => _keys.GetValueOrDefault(id);

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
