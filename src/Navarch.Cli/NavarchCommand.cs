using System.CommandLine;

namespace Navarch.Cli;

/// <summary>The <c>navarch</c> command line: it only parses options and composes hosts, as k3s' CLI does.</summary>
internal static class NavarchCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Navarch: a Kubernetes-compatible cluster in one binary.");
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(SchedulerCommand.Create());
        root.Subcommands.Add(ControllerManagerCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(ImageCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        return root;
    }
}
