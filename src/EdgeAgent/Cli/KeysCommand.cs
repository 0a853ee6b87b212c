using System.CommandLine;
using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Station;

namespace EdgeAnpr.Agent.Cli;

/// <summary><c>edge-anpr keys generate --out DIR</c>: a station's ECDSA P-256 signing key pair for watchlist sync.</summary>
internal static class KeysCommand
{
    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--out", "-o") { Description = "Directory for station-private.pem (mode 600) and station-public.pem", HelpName = "DIR", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing key pair" };
        var json = CommonOptions.Json();
        var generate = new Command("generate", "Make a station signing key pair: the private key stays at the station, the public key goes to every box")
        {
            output, force, json,
        };
        generate.SetAction(parse =>
        {
            GeneratedKeys keys;
            try
            {
                keys = StationKeyFiles.Generate(parse.GetValue(output)!, parse.GetValue(force));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return console.Fail(ExitCodes.BadInput, ex.Message);
            }

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new KeysJson(keys.PrivateKeyFile, keys.PublicKeyFile, keys.KeyId), WatchlistCliJson.Default.KeysJson));
            }
            else
            {
                console.Out.WriteLine($"key id {keys.KeyId}");
                console.Out.WriteLine($"private key: {keys.PrivateKeyFile} (mode 600; keep it at the station, give it to 'station publish-watchlist --key')");
                console.Out.WriteLine($"public key:  {keys.PublicKeyFile} (copy to each box and list it in Watchlist:StationKeyFiles)");
            }

            return ExitCodes.Ok;
        });
        return new Command("keys", "Station signing keys") { generate };
    }
}
