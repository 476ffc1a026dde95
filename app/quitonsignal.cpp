// SPDX-License-Identifier: MIT
#include "app/quitonsignal.h"

#include <QSocketNotifier>
#include <QtGlobal>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {
constexpr int kSignals[] = { SIGTERM, SIGINT, SIGHUP };
int g_fds[2] = { -1, -1 }; // [0] written by the handler, [1] read on the GUI thread

void onSignal(int)
{
    const char byte = 1;
    const ssize_t written = ::write(g_fds[0], &byte, 1); // a full buffer already holds a wake-up
    (void)written;
}

void setHandler(void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int s : kSignals)
        sigaction(s, &action, nullptr);
}
} // namespace

QuitOnSignal::QuitOnSignal(std::function<void()> onSignal, QObject* parent)
    : QObject(parent)
    , m_onSignal(std::move(onSignal))
{
    Q_ASSERT(g_fds[0] < 0);
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_fds) != 0) {
        qWarning("QuitOnSignal: socketpair failed; SIGTERM ends the console without saving its layout");
        return;
    }
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char bytes[16];
        while (::read(g_fds[1], bytes, sizeof bytes) > 0) { }
        m_notifier->setEnabled(false);
        setHandler(SIG_DFL); // a second signal while this one is handled ends the process
        m_onSignal();
    });
    setHandler(::onSignal);
}

QuitOnSignal::~QuitOnSignal()
{
    if (g_fds[0] < 0)
        return;
    setHandler(SIG_DFL);
    delete m_notifier;
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}
