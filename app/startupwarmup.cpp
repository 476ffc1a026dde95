// SPDX-License-Identifier: MIT
#include "app/startupwarmup.h"

#include <QBuffer>
#include <QFontDatabase>
#include <QImage>
#include <QImageReader>
#include <QStringList>

#include <fontconfig/fontconfig.h>

namespace {
void loadImagePlugins()
{
    // An image read from a device, not a file name: Qt asks each plugin whether it can read it.
    QByteArray png;
    QBuffer out(&png);
    out.open(QIODevice::WriteOnly);
    QImage(1, 1, QImage::Format_ARGB32).save(&out, "PNG");
    QBuffer in(&png);
    in.open(QIODevice::ReadOnly);
    QImageReader(&in).format();
}
} // namespace

StartupWarmup::StartupWarmup()
    : m_thread([this] {
        FcInit();
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [this] { return m_applicationCreated || m_quit; });
        if (!m_applicationCreated)
            return;
        lock.unlock();
        QFontDatabase::families();
        loadImagePlugins();
    })
{
}

StartupWarmup::~StartupWarmup() { wait(); }

void StartupWarmup::wait()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_ready.notify_one();
    m_thread.join();
}

void StartupWarmup::applicationCreated()
{
    {
        std::lock_guard lock(m_mutex);
        m_applicationCreated = true;
    }
    m_ready.notify_one();
}
