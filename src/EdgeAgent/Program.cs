using EdgeAnpr.Agent.Cli;

return await AgentCommandLine.InvokeAsync(args);
