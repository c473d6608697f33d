using k8s.Models;

namespace Navarch.ApiServer.Admission.ServiceAccount;

/// <summary>Reads ServiceAccounts for the ServiceAccount admission plugin, as its lister does in kube-apiserver.</summary>
public interface IServiceAccountLister
{
    /// <summary>The account <paramref name="name"/> in <paramref name="namespace"/>, or null when there is none.</summary>
    ValueTask<V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);
}
