using System.CommandLine;
using EdgeAnpr.Agent.Mqtt;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// How a <c>station</c> command reaches the broker: <c>--host</c>, <c>--port</c>, <c>--tls</c>, <c>--ca-file</c>, the
/// client certificate and its key, <c>--user</c>, <c>--password-file</c>, and the <see cref="MqttOptions"/> they make.
/// Made fresh per command (an option belongs to one parent); the command adds the options where its help lists them.
/// The texts that differ are given: <c>publish-watchlist</c> needs no broker with <c>--out</c>, and its <c>--key</c>
/// is the signing key, so its client certificate's key is <c>--cert-key-file</c>.
/// </summary>
internal sealed class StationConnectionOptions
{
    /// <param name="host">The description of <c>--host</c>, and whether it is required.</param>
    /// <param name="tls">The description of <c>--tls</c>.</param>
    /// <param name="caFile">The description of <c>--ca-file</c>.</param>
    /// <param name="keyFile">The name and description of the client certificate's private key option.</param>
    /// <param name="passwordFile">The description of <c>--password-file</c>.</param>
    public StationConnectionOptions((string Description, bool Required) host, string tls, string caFile, (string Name, string Description) keyFile, string passwordFile)
    {
        Host = new Option<string?>("--host") { Description = host.Description, Required = host.Required, HelpName = "HOST" };
        Host.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
            {
                result.AddError("--host is empty: give the broker's host name or address.");
            }
        });
        Port = new Option<int>("--port", "-p") { Description = "The broker's port", DefaultValueFactory = _ => MqttOptions.DefaultPort, HelpName = "PORT" };
        Tls = new Option<bool>("--tls") { Description = tls };
        CaFile = new Option<string?>("--ca-file") { Description = caFile, HelpName = "FILE" };
        CertFile = new Option<string?>("--cert-file") { Description = "PEM client certificate", HelpName = "FILE" };
        KeyFile = new Option<string?>(keyFile.Name) { Description = keyFile.Description, HelpName = "FILE" };
        User = new Option<string?>("--user", "-u") { Description = "User name for the broker", HelpName = "NAME" };
        PasswordFile = new Option<string?>("--password-file") { Description = passwordFile, HelpName = "FILE" };
    }

    public Option<string?> Host { get; }

    public Option<int> Port { get; }

    public Option<bool> Tls { get; }

    public Option<string?> CaFile { get; }

    public Option<string?> CertFile { get; }

    public Option<string?> KeyFile { get; }

    public Option<string?> User { get; }

    public Option<string?> PasswordFile { get; }

    /// <summary>
    /// The connection as parsed, unvalidated; the command sets what is its own (client id, session, queue) and
    /// validates it with <see cref="MqttOptionsValidator"/>.
    /// </summary>
    public MqttOptions Parse(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new MqttOptions
        {
            Host = parse.GetValue(Host) ?? "",
            Port = parse.GetValue(Port),
            Tls = parse.GetValue(Tls),
            CaFile = parse.GetValue(CaFile),
            CertFile = parse.GetValue(CertFile),
            KeyFile = parse.GetValue(KeyFile),
            UserName = parse.GetValue(User),
            PasswordFile = parse.GetValue(PasswordFile),
        };
    }
}
