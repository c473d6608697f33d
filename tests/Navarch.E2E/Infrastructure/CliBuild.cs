using System.Diagnostics;

namespace Navarch.E2E.Infrastructure;

/// <summary>Finds the CLI the E2E run uses (Release, then Debug), building Release when neither exists, as the shared server fixture does.</summary>
internal static class CliBuild
{
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(5);

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Navarch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Navarch.slnx above {AppContext.BaseDirectory}");
    }

    public static async Task<string> FindOrBuildAsync(string repo)
    {
        string Dll(string configuration) => Path.Combine(repo, "src", "Navarch.Cli", "bin", configuration, "net10.0", "navarch.dll");
        var existing = new[] { "Release", "Debug" }.Select(Dll).FirstOrDefault(File.Exists);
        if (existing is not null)
        {
            return existing;
        }

        var build = new ProcessStartInfo("dotnet", ["build", "src/Navarch.Cli", "-c", "Release", "-v", "q"])
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(build) ?? throw new InvalidOperationException("dotnet build did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(BuildDeadline);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0 || !File.Exists(Dll("Release")))
        {
            throw new InvalidOperationException($"dotnet build src/Navarch.Cli -c Release failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }

        return Dll("Release");
    }
}
