using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Tests.Station;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Generate_writes_a_private_key_only_its_owner_can_read_and_a_public_key_for_the_boxes()
    {
        var result = await CliRunner.RunAsync("keys", "generate", "--out", _directory, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var privateKey = Path.Combine(_directory, "station-private.pem");
        var publicKey = Path.Combine(_directory, "station-public.pem");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privateKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(publicKey));
        using var station = StationKey.FromPublicPem(File.ReadAllText(publicKey));
        using var signing = StationKey.PrivateKeyFromPem(File.ReadAllText(privateKey));
        Assert.Equal(station.Id, StationKey.IdOf(signing));
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(station.Id, json.RootElement.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task An_existing_key_pair_is_replaced_only_with_force()
    {
        await CliRunner.RunAsync("keys", "generate", "--out", _directory);
        var first = File.ReadAllText(Path.Combine(_directory, "station-public.pem"));

        var refused = await CliRunner.RunAsync("keys", "generate", "--out", _directory);
        var forced = await CliRunner.RunAsync("keys", "generate", "--out", _directory, "--force");

        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("--force", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.NotEqual(first, File.ReadAllText(Path.Combine(_directory, "station-public.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "station-private.pem")));
        Assert.Contains("key id ", forced.Output, StringComparison.Ordinal);
    }
}
