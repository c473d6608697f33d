namespace Navarch.Cli;

/// <summary>The default data dir: /var/lib/navarch as root, else ~/.local/share/navarch, as k3s chooses.</summary>
internal static class DataDirectory
{
    public static string Default() =>
        Environment.UserName == "root" || geteuid() == 0
            ? "/var/lib/navarch"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "navarch");

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
