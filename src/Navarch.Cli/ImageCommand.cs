using System.CommandLine;
using Grpc.Core;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Images;

namespace Navarch.Cli;

/// <summary>
/// <c>navarch image import|ls|rm</c>: manages the images of this node's containerd (the one <c>navarch agent</c>
/// supervises under <c>&lt;data-dir&gt;/agent/containerd</c>, or <c>--container-runtime-endpoint</c>), as
/// <c>k3s ctr images import</c> and <c>crictl images</c>/<c>crictl rmi</c> do.
/// </summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder for all state", DefaultValueFactory = _ => DataDirectory.Default(), Recursive = true };
        var runtime = new Option<string?>("--container-runtime-endpoint") { Description = "An existing CRI socket instead of the agent's containerd", Recursive = true };

        var files = new Argument<string[]>("FILE") { Description = "Image tarballs: OCI layout or docker-archive, .tar, .tar.gz or .tgz", Arity = ArgumentArity.OneOrMore };
        var snapshotter = new Option<string?>("--snapshotter") { Description = "Unpack for this snapshotter (default: the agent's containerd's, else overlayfs)" };
        var import = new Command("import", "Import image tarballs into the node's containerd (unpacked, visible to the kubelet).") { files, snapshotter };
        import.SetAction(async (parse, cancellationToken) =>
        {
            var location = Locate(parse, dataDir, runtime);
            var importer = new ContainerdImageImporter(location.SocketPath, parse.GetValue(snapshotter) ?? location.Snapshotter);
            var status = 0;
            foreach (var file in parse.GetValue(files) ?? [])
            {
                try
                {
                    foreach (var name in await importer.ImportAsync(Path.GetFullPath(file), cancellationToken).ConfigureAwait(false))
                    {
                        await parse.InvocationConfiguration.Output.WriteLineAsync($"Imported {name}").ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"navarch image import: {e.Message}").ConfigureAwait(false);
                    status = 1;
                }
            }

            return status;
        });

        var list = new Command("ls", "List the node's images (as crictl images).");
        list.Aliases.Add("list");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var cri = new CriClient(Locate(parse, dataDir, runtime).SocketPath);
            try
            {
                var images = await cri.ListImagesAsync(null, cancellationToken).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteAsync(ImageTable.Format(images)).ConfigureAwait(false);
                return 0;
            }
            catch (RpcException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"navarch image ls: {Describe(e, cri)}").ConfigureAwait(false);
                return 1;
            }
        });

        var references = new Argument<string[]>("REF") { Description = "Image names or IDs", Arity = ArgumentArity.OneOrMore };
        var remove = new Command("rm", "Remove images from the node (as crictl rmi).") { references };
        remove.Aliases.Add("rmi");
        remove.SetAction(async (parse, cancellationToken) =>
        {
            using var cri = new CriClient(Locate(parse, dataDir, runtime).SocketPath);
            var status = 0;
            foreach (var reference in parse.GetValue(references) ?? [])
            {
                try
                {
                    if (await cri.ImageStatusAsync(reference, cancellationToken).ConfigureAwait(false) is not { } image)
                    {
                        await parse.InvocationConfiguration.Error.WriteLineAsync($"navarch image rm: no such image {reference}").ConfigureAwait(false);
                        status = 1;
                        continue;
                    }

                    await cri.RemoveImageAsync(image.Id, cancellationToken).ConfigureAwait(false);
                    foreach (var name in image.RepoTags.Count > 0 ? image.RepoTags : [image.Id])
                    {
                        await parse.InvocationConfiguration.Output.WriteLineAsync($"Deleted: {name}").ConfigureAwait(false);
                    }
                }
                catch (RpcException e)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"navarch image rm {reference}: {Describe(e, cri)}").ConfigureAwait(false);
                    status = 1;
                }
            }

            return status;
        });

        return new Command("image", "Manage the images of this node's container runtime.") { dataDir, runtime, import, list, remove };
    }

    private static ImageStoreLocation Locate(ParseResult parse, Option<string> dataDir, Option<string?> runtime) =>
        ImageStoreLocation.Resolve(Path.Combine(Path.GetFullPath(parse.GetValue(dataDir)!), "agent"), parse.GetValue(runtime));

    private static string Describe(RpcException e, CriClient cri) =>
        e.StatusCode == StatusCode.Unavailable
            ? $"cannot reach the container runtime at {cri.SocketPath} (is navarch agent or server running?): {e.Status.Detail}"
            : $"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}";
}
