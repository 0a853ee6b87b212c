using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Native;

NativeLibraries.Install();
return await AgentCommandLine.InvokeAsync(args);
