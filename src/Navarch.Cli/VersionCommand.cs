using System.CommandLine;
using System.Reflection;
using Navarch.ApiServer.Discovery;

namespace Navarch.Cli;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version of navarch and of the Kubernetes API it serves.");
        command.SetAction(parse =>
        {
            var assembly = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            parse.InvocationConfiguration.Output.WriteLine($"navarch version {assembly.Split('+')[0]} (Kubernetes {KubernetesVersion.GitVersion})");
            return 0;
        });
        return command;
    }
}
