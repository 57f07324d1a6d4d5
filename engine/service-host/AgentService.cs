// The Windows service (the win-x64 build only): the SCM protocol through ServiceBase (NuGet package
// System.ServiceProcess.ServiceController), the work in AgentSupervisor. Registered by the
// module (InvokeJCAgentService) as
//     "<install folder>\jcadi-service.exe"
// with restart failure actions and failureflag 1 (a stop with a non-zero exit code counts as a
// failure). Important events also go to the Application Event Log (source JumpCloudADISync).
using System;
using System.Diagnostics;
using System.ServiceProcess;

namespace JumpCloudADI.ServiceHost
{
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    public sealed class AgentService : ServiceBase
    {
        public const string Name = "JumpCloudADISync";

        private AgentSupervisor supervisor;
        private HostLog log;
        private SupervisorOptions options;

        public AgentService()
        {
            ServiceName = Name;
            CanStop = true;
            CanShutdown = true;
            CanPauseAndContinue = false;
            AutoLog = true;
        }

        protected override void OnStart(string[] args)
        {
            options = SupervisorOptions.ForFolder(AppContext.BaseDirectory, true);
            log = new HostLog(options.LogFile, null);
            supervisor = new AgentSupervisor(options, log);
            supervisor.ExitedOnItsOwn += OnAgentExited;
            try
            {
                supervisor.Start();
            }
            catch (Exception e)
            {
                var message = "The service cannot start the sync agent: " + e.Message;
                log.Error(message);
                WriteEvent(HostLogLevel.Error, message, 1);
                throw;
            }
        }

        private void OnAgentExited(object sender, AgentExitedEventArgs e)
        {
            var decision = ExitPolicy.OnUnexpectedExit(e.ExitCode, e.LastError);
            log.Write(decision.Level, decision.Message);
            WriteEvent(decision.Level, decision.Message, e.ExitCode == ExitPolicy.BadConfigExitCode ? 2 : 3);
            ExitCode = decision.ServiceExitCode;
            try
            {
                Stop();
            }
            catch (Exception ex)
            {
                log.Error("the service could not stop itself: " + ex.Message);
                Environment.Exit(decision.ServiceExitCode);
            }
        }

        protected override void OnStop()
        {
            StopAgent();
        }

        protected override void OnShutdown()
        {
            StopAgent();
        }

        private void StopAgent()
        {
            if (supervisor == null)
            {
                return;
            }
            var result = supervisor.Stop(more => RequestMoreTime(more));
            if (!result.WasRunning)
            {
                return;
            }
            var decision = ExitPolicy.OnRequestedStop(result.ExitCode, result.Killed, (int)options.StopTimeout.TotalSeconds);
            log.Write(decision.Level, decision.Message);
            if (decision.Level != HostLogLevel.Info)
            {
                WriteEvent(decision.Level, decision.Message, 4);
            }
        }

        private void RequestMoreTime(TimeSpan more)
        {
            try
            {
                RequestAdditionalTime((int)more.TotalMilliseconds);
            }
            catch (InvalidOperationException)
            {
                // Not in a pending state (a stop the service started itself): nothing to extend.
            }
        }

        private void WriteEvent(HostLogLevel level, string message, int eventId)
        {
            try
            {
                var type = level == HostLogLevel.Error ? EventLogEntryType.Error : level == HostLogLevel.Warning ? EventLogEntryType.Warning : EventLogEntryType.Information;
                EventLog.WriteEntry(message + " (log: " + log.File + ")", type, eventId);
            }
            catch (Exception)
            {
                // The Event Log is a courtesy; logs\service.log has the line already.
            }
        }
    }
}
