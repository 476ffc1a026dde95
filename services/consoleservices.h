// SPDX-License-Identifier: MIT
#pragma once

class AuditRecorder;
class ClockWatch;
class EnvironmentListModel;
class EscalationService;
class MetricsService;
class RunbookLibrary;
class SecretStore;
class StoreClient;

// The services one console window works with. Created and owned by the Application (app/) and handed to the UI
// by value; every pointer lives as long as the window. Tests fill in only what they need: a null service means
// the feature that needs it is unavailable. All of them live on the GUI thread.
struct ConsoleServices {
    StoreClient* store = nullptr; // the incident store
    RunbookLibrary* runbooks = nullptr; // the team's runbooks, reloaded on change
    EnvironmentListModel* environments = nullptr; // the environment profiles and which one is active
    SecretStore* secrets = nullptr; // the OS keychain
    AuditRecorder* audit = nullptr; // command.started / command.finished on the timeline
    EscalationService* escalation = nullptr; // escalation clocks, contacts, PagerDuty, Slack, message templates
    MetricsService* metrics = nullptr; // live key metrics and alert rules (the dashboards)
    ClockWatch* clock = nullptr; // the console's clock and its jumps; without it the window keeps its own clock
};
